import { Injectable } from '@nestjs/common';
import type { InventoryCause } from '@tickets/protocol';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { Timers, type TimeSlices } from '../common/timers';
import { deleteInChunks, placeholders, READ_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { InventoryChangeEntity } from './inventory-change.entity';
import { LevelCountEntity } from './level-count.entity';
import { CommittedChange } from './committed-change';
import type { TicketColumns } from './index-host/index-host';

export interface EventHead {
  eventId: number;
  version: number;
  totalTickets: number;
  availableTickets: number;
}

/** The head as bumpVersion() leaves it, with the event's total ticket value (for the ceiling check). */
export interface BumpedHead extends EventHead {
  totalValue: number;
}

export interface ChangeDraft {
  cause: InventoryCause;
  ticketIds: number[];
  values: number[] | null;
}

/** How a change moves the event's counters; applied by bumpVersion() in the same statement as the version bump. */
export interface CounterDelta {
  total: number;
  available: number;
  /** Change of the sum of the event's ticket values (tickets created or deleted). */
  value?: number;
}

/** An event's head and its available tickets, read together so they agree (what an index is built from). */
export interface EventTickets extends EventHead {
  tickets: TicketColumns;
}

interface StoredItems {
  ids: number[];
  values: number[] | null;
}

interface HeadRow {
  version: number | string;
  total_tickets: number | string;
  available_tickets: number | string;
  total_value: number | string;
}

/**
 * The database side of inventory changes: an event's head (version and counters, on the events
 * row) bumped with the outbox row written inside the caller's transaction, and the reads replicas
 * use to build and catch up. Plain SQL on the events row's inventory columns: inventory knows no
 * feature's entities.
 */
@Injectable()
export class InventoryOutbox {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly timers: Timers,
  ) {}

  /**
   * Bumps the event's version and moves its counters in one statement. That takes the event row's
   * write lock until commit, so changes to one event commit one after another in version order.
   * Returns null when the event does not exist.
   */
  async bumpVersion(
    manager: EntityManager,
    eventId: number,
    delta: CounterDelta,
  ): Promise<BumpedHead | null> {
    await manager.query(
      'UPDATE events SET version = version + 1, total_tickets = total_tickets + ?, available_tickets = available_tickets + ?, total_value = total_value + ? WHERE id = ?',
      [Math.trunc(delta.total), Math.trunc(delta.available), Math.trunc(delta.value ?? 0), eventId],
    );
    // Read back in the same transaction, under the lock the UPDATE took: no row, no event.
    const [row] = (await manager.query(
      'SELECT version, total_tickets, available_tickets, total_value FROM events WHERE id = ?',
      [eventId],
    )) as HeadRow[];
    if (!row) return null;
    return {
      eventId,
      version: Number(row.version),
      totalTickets: Number(row.total_tickets),
      availableTickets: Number(row.available_tickets),
      totalValue: Number(row.total_value),
    };
  }

  /** Writes the outbox row for the version (and counters) taken by bumpVersion(). */
  async recordChange(manager: EntityManager, head: EventHead, draft: ChangeDraft): Promise<CommittedChange> {
    const change: CommittedChange = {
      eventId: head.eventId,
      version: head.version,
      cause: draft.cause,
      ticketIds: draft.ticketIds,
      values: draft.values,
      totalTickets: head.totalTickets,
      availableTickets: head.availableTickets,
      committedAt: this.clock.nowMs(),
    };
    const items: StoredItems = { ids: draft.ticketIds, values: draft.values };
    // Plain SQL: a change may name 100,000 tickets, and the query builder's bookkeeping on a value that size shows.
    await manager.query(
      'INSERT INTO inventory_changes (event_id, version, cause, items, total_tickets, available_tickets, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        change.eventId,
        change.version,
        change.cause,
        JSON.stringify(items),
        change.totalTickets,
        change.availableTickets,
        change.committedAt,
      ],
    );
    return change;
  }

  /**
   * bumpVersion() + recordChange() as the last step of a transaction. On MySQL it is one round trip (the
   * bump_and_record procedure: bump, INSERT ... SELECT of the outbox row, read back), so the event
   * row lock is held for one round trip plus the commit. Returns null when the event does not exist.
   */
  async bumpAndRecord(
    manager: EntityManager,
    eventId: number,
    delta: CounterDelta,
    draft: ChangeDraft,
  ): Promise<CommittedChange | null> {
    if (this.database.isSqlite) {
      const head = await this.bumpVersion(manager, eventId, delta);
      return head && this.recordChange(manager, head, draft);
    }
    const committedAt = this.clock.nowMs();
    const items: StoredItems = { ids: draft.ticketIds, values: draft.values };
    const [rows] = (await manager.query('CALL bump_and_record(?, ?, ?, ?, ?, ?)', [
      eventId,
      Math.trunc(delta.total),
      Math.trunc(delta.available),
      draft.cause,
      JSON.stringify(items),
      committedAt,
    ])) as [{ version: number; total_tickets: number; available_tickets: number }[], unknown];
    const [row] = rows;
    if (!row) return null;
    return {
      eventId,
      version: Number(row.version),
      cause: draft.cause,
      ticketIds: draft.ticketIds,
      values: draft.values,
      totalTickets: Number(row.total_tickets),
      availableTickets: Number(row.available_tickets),
      committedAt,
    };
  }

  /** Outbox rows after `version`, in order (at most `limit`). */
  async readAfter(eventId: number, version: number, limit = 1000): Promise<CommittedChange[]> {
    const rows = await this.database.read((manager) =>
      manager
        .getRepository(InventoryChangeEntity)
        .createQueryBuilder('c')
        .where('c.event_id = :eventId AND c.version > :version', { eventId, version })
        .orderBy('c.version', 'ASC')
        .limit(limit)
        .getMany(),
    );
    return rows.map((row) => {
      const items = JSON.parse(row.items) as StoredItems;
      return {
        eventId: row.eventId,
        version: row.version,
        cause: row.cause,
        ticketIds: items.ids,
        values: items.values,
        totalTickets: row.totalTickets,
        availableTickets: row.availableTickets,
        committedAt: row.committedAt,
      };
    });
  }

  /** Events whose stored level count is older than their version (or was never computed). */
  async staleLevelCounts(limit: number): Promise<number[]> {
    const rows = await this.database.read(
      (manager) =>
        manager.query(
          'SELECT e.id FROM events e JOIN event_level_counts c ON c.event_id = e.id WHERE c.version < e.version ORDER BY e.id LIMIT ?',
          [limit],
        ) as Promise<{ id: number | string }[]>,
    );
    return rows.map((row) => Number(row.id));
  }

  /** Current versions of the given events; a missing event is absent from the map. */
  async versions(eventIds: number[]): Promise<Map<number, number>> {
    if (eventIds.length === 0) return new Map();
    const rows = await this.database.read(
      (manager) =>
        manager.query(
          `SELECT id, version FROM events WHERE id IN (${placeholders(eventIds.length)})`,
          eventIds,
        ) as Promise<{ id: number | string; version: number | string }[]>,
    );
    return new Map(rows.map((row) => [Number(row.id), Number(row.version)]));
  }

  /** A new event's inventory rows: no tickets, so no levels, known from the start. */
  async initialize(manager: EntityManager, eventId: number): Promise<void> {
    await manager.insert(LevelCountEntity, { eventId, version: 0, levelCount: 0 });
  }

  /** Deletes the event's outbox rows and level count, inside the transaction deleting the event. */
  async forgetEvent(manager: EntityManager, eventId: number, slices: TimeSlices): Promise<void> {
    await deleteInChunks(manager, slices, {
      table: 'inventory_changes',
      key: 'version',
      where: 'event_id = ?',
      params: [eventId],
    });
    await manager.delete(LevelCountEntity, { eventId });
  }

  /**
   * The event's head and available tickets, read in one transaction so they agree (a consistent
   * read on MySQL; the write queue on SQLite). Read in chunks by id with a turn of the event loop
   * between them, so a large event never holds the loop in one piece.
   */
  readTickets(eventId: number): Promise<EventTickets | null> {
    return this.database.transaction(async (manager) => {
      const [event] = (await manager.query(
        'SELECT version, total_tickets, available_tickets FROM events WHERE id = ?',
        [eventId],
      )) as HeadRow[];
      if (!event) return null;
      const ids: number[] = [];
      const values: number[] = [];
      const slices = this.timers.slices();
      for (let after = 0; ;) {
        const rows = (await manager.query(
          "SELECT id, value FROM tickets WHERE event_id = ? AND status = 'available' AND id > ? ORDER BY id LIMIT ?",
          [eventId, after, READ_CHUNK_ROWS],
        )) as { id: number | string; value: number | string }[];
        for (const row of rows) {
          ids.push(Number(row.id));
          values.push(Number(row.value));
        }
        if (rows.length < READ_CHUNK_ROWS) break;
        after = ids[ids.length - 1];
        await slices.breathe();
      }
      const version = Number(event.version);
      return {
        eventId,
        version,
        totalTickets: Number(event.total_tickets),
        availableTickets: Number(event.available_tickets),
        tickets: { version, ids: Float64Array.from(ids), values: Float64Array.from(values) },
      };
    });
  }
}
