import { Injectable } from '@nestjs/common';
import { ErrorCode, type EventView } from '@tickets/protocol';
import { EntityManager } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { LiveUpdates } from '../common/live-updates';
import { Timers } from '../common/timers';
import { placeholders, WRITE_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { InventoryFeed } from '../inventory/inventory-feed';
import { LevelCountEntity } from '../inventory/level-count.entity';
import { ReservationEntity } from '../reservations/reservation.entity';
import { toReservationView } from '../reservations/reservations.service';
import { CreateEventDto } from './dto/event.dto';
import { EventEntity } from './event.entity';

interface EventRow {
  id: number | string;
  name: string;
  version: number | string;
  total_tickets: number | string;
  available_tickets: number | string;
  created_at: Date | string;
  level_version: number | string | null;
  level_count: number | string | null;
  active_reservations: number | string | null;
}

/** Events with their counters, stored level counts and active reservations: one query, no index built. */
const EVENT_VIEW_SQL = `
  SELECT e.id, e.name, e.version, e.total_tickets, e.available_tickets, e.created_at,
         c.version AS level_version, c.level_count, r.active AS active_reservations
  FROM events e
  LEFT JOIN event_level_counts c ON c.event_id = e.id
  LEFT JOIN (SELECT event_id, COUNT(*) AS active FROM reservations WHERE status = 'active' GROUP BY event_id) r
    ON r.event_id = e.id`;


@Injectable()
export class EventsService {
  constructor(
    private readonly database: Database,
    private readonly feed: InventoryFeed,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly live: LiveUpdates,
  ) {}

  /** Every event, from the database alone (no clearance index is built to list them). */
  async list(): Promise<EventView[]> {
    const rows = await this.database.read((manager) => manager.query(`${EVENT_VIEW_SQL} ORDER BY e.id`) as Promise<EventRow[]>);
    return rows.map(toEventView);
  }

  /**
   * The views of these events (those that still exist), each with whether its level count is
   * that of its current version (a replica records it shortly after the change).
   */
  async viewsOf(eventIds: readonly number[]): Promise<{ view: EventView; levelCountCurrent: boolean }[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.database.read(
      (manager) => manager.query(`${EVENT_VIEW_SQL} WHERE e.id IN (${placeholders(eventIds.length)}) ORDER BY e.id`, [...eventIds]) as Promise<EventRow[]>,
    );
    return rows.map((row) => ({ view: toEventView(row), levelCountCurrent: Number(row.level_version ?? -1) >= Number(row.version) }));
  }

  async get(eventId: number): Promise<EventView> {
    const [row] = await this.database.read(
      (manager) => manager.query(`${EVENT_VIEW_SQL} WHERE e.id = ?`, [eventId]) as Promise<EventRow[]>,
    );
    if (!row) throw notFound('Event');
    return toEventView(row);
  }

  async create(request: CreateEventDto): Promise<EventView> {
    const event = await this.database.transaction(async (manager) => {
      const created = await manager.save(
        manager.create(EventEntity, { name: request.name, version: 0, totalTickets: 0, availableTickets: 0, createdAt: this.clock.now() }),
      );
      // No tickets, no levels: the count is known from the start.
      await manager.insert(LevelCountEntity, { eventId: created.id, version: 0, levelCount: 0 });
      return created;
    });
    const view: EventView = {
      id: event.id,
      name: event.name,
      totalTickets: 0,
      availableTickets: 0,
      levelCount: 0,
      activeReservations: 0,
      version: 0,
      createdAt: event.createdAt.toISOString(),
    };
    this.live.eventCreated(view);
    return view;
  }

  /**
   * Deletes the event with its tickets, reservations and outbox rows; joined sockets get
   * `event-deleted`. An event with active reservations is deleted only with `force`, and then their
   * holders are told. The version bump first takes the event row's lock, so no reservation commits
   * meanwhile (theirs take it last), and the count of active reservations is the final one.
   */
  async remove(eventId: number, force: boolean): Promise<void> {
    const { version, holders } = await this.database.transaction(async (manager) => {
      await manager.query('UPDATE events SET version = version + 1 WHERE id = ?', [eventId]);
      const event = await manager.findOneBy(EventEntity, { id: eventId });
      if (!event) throw notFound('Event');
      const active = await manager.find(ReservationEntity, { where: { eventId, status: 'active' }, order: { id: 'ASC' } });
      if (active.length > 0 && !force) {
        throw new AppError(
          ErrorCode.CONFLICT,
          `The event has ${active.length} active reservation(s); delete it with force=true to release them`,
        );
      }
      await this.deleteInChunks(manager, 'reservation_tickets', 'ticket_id', 'ticket_id IN (SELECT id FROM tickets WHERE event_id = ?)', eventId);
      // Children before parents (foreign keys): tickets name their reservation.
      await this.deleteInChunks(manager, 'tickets', 'id', 'event_id = ?', eventId);
      await this.deleteInChunks(manager, 'reservations', 'id', 'event_id = ?', eventId);
      await this.deleteInChunks(manager, 'inventory_changes', 'version', 'event_id = ?', eventId);
      await manager.delete(LevelCountEntity, { eventId });
      await manager.delete(EventEntity, { id: eventId });
      return { version: event.version, holders: active };
    });
    for (const reservation of holders) {
      const view = toReservationView(Object.assign(reservation, { status: 'cancelled' as const }));
      this.live.reservationChanged(reservation.userId, { reason: 'event-deleted', reservation: view });
    }
    await this.feed.publish({
      eventId,
      version,
      cause: 'event-deleted',
      ticketIds: [],
      values: [],
      totalTickets: 0,
      availableTickets: 0,
      committedAt: this.clock.nowMs(),
    });
  }

  /**
   * Deletes the rows of `table` matching `where`, a chunk at a time by `key`, so an event of
   * 100,000 tickets never holds the event loop (SQLite runs each statement synchronously).
   */
  private async deleteInChunks(manager: EntityManager, table: string, key: string, where: string, eventId: number): Promise<void> {
    const slices = this.timers.slices();
    for (;;) {
      const keys = (await manager.query(`SELECT ${key} AS k FROM ${table} WHERE ${where} LIMIT ${WRITE_CHUNK_ROWS}`, [eventId])) as {
        k: number | string;
      }[];
      if (keys.length === 0) return;
      const list = keys.map((row) => Number(row.k));
      const scope = table === 'inventory_changes' ? ' AND event_id = ?' : '';
      await manager.query(`DELETE FROM ${table} WHERE ${key} IN (${placeholders(list.length)})${scope}`, [
        ...list,
        ...(scope ? [eventId] : []),
      ]);
      if (keys.length < WRITE_CHUNK_ROWS) return;
      await slices.breathe();
    }
  }

}

function toEventView(row: EventRow): EventView {
  const levelVersion = row.level_version === null ? -1 : Number(row.level_version);
  return {
    id: Number(row.id),
    name: row.name,
    totalTickets: Number(row.total_tickets),
    availableTickets: Number(row.available_tickets),
    levelCount: levelVersion < 0 ? null : Number(row.level_count),
    activeReservations: Number(row.active_reservations ?? 0),
    version: Number(row.version),
    createdAt: (row.created_at instanceof Date ? row.created_at : new Date(`${row.created_at.replace(' ', 'T')}Z`)).toISOString(),
  };
}
