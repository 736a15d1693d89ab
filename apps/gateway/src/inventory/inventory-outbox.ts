import { Injectable } from '@nestjs/common';
import type { InventoryCause } from '@tickets/protocol';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { Timers } from '../common/timers';
import { READ_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { EventEntity } from '../events/event.entity';
import { InventoryChangeEntity } from './inventory-change.entity';
import { CommittedChange } from './committed-change';
import type { TicketColumns } from './index-host/index-host';

export interface EventHead {
  eventId: number;
  version: number;
  totalTickets: number;
  availableTickets: number;
}

/** The head as begin() leaves it, with the event's total ticket value (for the ceiling check). */
export interface BegunHead extends EventHead {
  totalValue: number;
}

export interface ChangeDraft {
  cause: InventoryCause;
  ticketIds: number[];
  values: number[] | null;
}

/** How a change moves the event's counters; applied by begin() in the same statement as the version bump. */
export interface CounterDelta {
  total: number;
  available: number;
  /** Change of the sum of the event's ticket values (tickets created or deleted). */
  value?: number;
}

/** An event's head and its available tickets, read together so they agree. */
export interface InventorySnapshot extends EventHead {
  tickets: TicketColumns;
}


interface StoredItems {
  ids: number[];
  values: number[] | null;
}

/**
 * The database side of inventory changes: the version bump + counters + outbox row written inside
 * the caller's transaction, and the reads replicas use to catch up.
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
  async begin(manager: EntityManager, eventId: number, delta: CounterDelta): Promise<BegunHead | null> {
    const total = Math.trunc(delta.total);
    const available = Math.trunc(delta.available);
    const value = Math.trunc(delta.value ?? 0);
    const bumped = await manager
      .createQueryBuilder()
      .update(EventEntity)
      .set({
        version: () => 'version + 1',
        totalTickets: () => `total_tickets + (${total})`,
        availableTickets: () => `available_tickets + (${available})`,
        totalValue: () => `total_value + (${value})`,
      })
      .where('id = :eventId', { eventId })
      .execute();
    if (!bumped.affected) return null;
    const event = await manager.findOneByOrFail(EventEntity, { id: eventId });
    return {
      eventId,
      version: event.version,
      totalTickets: event.totalTickets,
      availableTickets: event.availableTickets,
      totalValue: event.totalValue,
    };
  }

  /** Writes the outbox row for the version (and counters) taken by begin(). */
  async record(manager: EntityManager, head: EventHead, draft: ChangeDraft): Promise<CommittedChange> {
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
      [change.eventId, change.version, change.cause, JSON.stringify(items), change.totalTickets, change.availableTickets, change.committedAt],
    );
    return change;
  }

  /**
   * begin() + record() as the last step of a transaction. On MySQL it is one round trip (the
   * bump_and_record procedure: bump, INSERT ... SELECT of the outbox row, read back), so the event
   * row lock is held for one round trip plus the commit. Returns null when the event does not exist.
   */
  async bumpAndRecord(manager: EntityManager, eventId: number, delta: CounterDelta, draft: ChangeDraft): Promise<CommittedChange | null> {
    if (this.database.isSqlite) {
      const head = await this.begin(manager, eventId, delta);
      return head && this.record(manager, head, draft);
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
        manager.query('SELECT e.id FROM events e JOIN event_level_counts c ON c.event_id = e.id WHERE c.version < e.version ORDER BY e.id LIMIT ?', [
          limit,
        ]) as Promise<{ id: number | string }[]>,
    );
    return rows.map((row) => Number(row.id));
  }

  /** Current versions of the given events; a missing event is absent from the map. */
  async versions(eventIds: number[]): Promise<Map<number, number>> {
    if (eventIds.length === 0) return new Map();
    const rows = await this.database.read((manager) =>
      manager
        .getRepository(EventEntity)
        .createQueryBuilder('e')
        .select(['e.id', 'e.version'])
        .where('e.id IN (:...eventIds)', { eventIds })
        .getMany(),
    );
    return new Map(rows.map((row) => [row.id, row.version]));
  }

  /**
   * The event's head and available tickets, read in one transaction so they agree (a consistent
   * read on MySQL; the write queue on SQLite). Read in chunks by id with a turn of the event loop
   * between them, so a large event never holds the loop in one piece.
   */
  snapshot(eventId: number): Promise<InventorySnapshot | null> {
    return this.database.transaction(async (manager) => {
      const event = await manager.findOneBy(EventEntity, { id: eventId });
      if (!event) return null;
      const ids: number[] = [];
      const values: number[] = [];
      const slices = this.timers.slices();
      for (let after = 0; ; ) {
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
      return {
        eventId,
        version: event.version,
        totalTickets: event.totalTickets,
        availableTickets: event.availableTickets,
        tickets: { version: event.version, ids: Float64Array.from(ids), values: Float64Array.from(values) },
      };
    });
  }
}
