import { Injectable } from '@nestjs/common';
import type { EventLimits, EventView } from '@tickets/protocol';
import { AuditLog } from '../audit/audit-log';
import { notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { LiveUpdates } from '../common/live-updates';
import { Timers } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { placeholders } from '../database/chunks';
import { Database } from '../database/database';
import { InventoryChanges } from '../inventory/inventory-changes';
import { InventoryOutbox } from '../inventory/inventory-outbox';
import { EventContents } from './event-contents';
import { CreateEventDto, UpdateEventDto } from './dto/event.dto';
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
  hold_ttl_seconds: number | string | null;
  holds_per_user: number | string;
  tickets_per_user: number | string | null;
  tickets_per_reservation: number | string | null;
}

/** Events with their counters, terms, stored level counts and active reservations: one query, no index built. */
const EVENT_VIEW_SQL = `
  SELECT e.id, e.name, e.version, e.total_tickets, e.available_tickets, e.created_at,
         e.hold_ttl_seconds, e.holds_per_user, e.tickets_per_user, e.tickets_per_reservation,
         c.version AS level_version, c.level_count, r.active AS active_reservations
  FROM events e
  LEFT JOIN event_level_counts c ON c.event_id = e.id
  LEFT JOIN (SELECT event_id, COUNT(*) AS active FROM reservations WHERE status IN ('held', 'confirmed') GROUP BY event_id) r
    ON r.event_id = e.id`;

const orNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

@Injectable()
export class EventsService {
  constructor(
    private readonly database: Database,
    private readonly outbox: InventoryOutbox,
    private readonly changes: InventoryChanges,
    private readonly contents: EventContents,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly live: LiveUpdates,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
  ) {}

  /** Every event, from the database alone (no clearance index is built to list them). */
  async list(): Promise<EventView[]> {
    const rows = await this.database.read(
      (manager) => manager.query(`${EVENT_VIEW_SQL} ORDER BY e.id`) as Promise<EventRow[]>,
    );
    return rows.map((row) => this.toView(row));
  }

  /**
   * The views of these events (those that still exist), each with whether its level count is
   * that of its current version (a replica records it shortly after the change).
   */
  async viewsOf(eventIds: readonly number[]): Promise<{ view: EventView; levelCountCurrent: boolean }[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.database.read(
      (manager) =>
        manager.query(`${EVENT_VIEW_SQL} WHERE e.id IN (${placeholders(eventIds.length)}) ORDER BY e.id`, [
          ...eventIds,
        ]) as Promise<EventRow[]>,
    );
    return rows.map((row) => ({
      view: this.toView(row),
      levelCountCurrent: Number(row.level_version ?? -1) >= Number(row.version),
    }));
  }

  async get(eventId: number): Promise<EventView> {
    const [row] = await this.database.read(
      (manager) => manager.query(`${EVENT_VIEW_SQL} WHERE e.id = ?`, [eventId]) as Promise<EventRow[]>,
    );
    if (!row) throw notFound('Event');
    return this.toView(row);
  }

  private toView(row: EventRow): EventView {
    const levelVersion = row.level_version === null ? -1 : Number(row.level_version);
    return {
      id: Number(row.id),
      name: row.name,
      totalTickets: Number(row.total_tickets),
      availableTickets: Number(row.available_tickets),
      levelCount: levelVersion < 0 ? null : Number(row.level_count),
      activeReservations: Number(row.active_reservations ?? 0),
      holdTtlSeconds: orNull(row.hold_ttl_seconds) ?? this.config.holdTtlSeconds,
      limits: {
        holdsPerUser: Number(row.holds_per_user),
        ticketsPerUser: orNull(row.tickets_per_user),
        ticketsPerReservation: orNull(row.tickets_per_reservation),
      },
      version: Number(row.version),
      createdAt: (row.created_at instanceof Date
        ? row.created_at
        : new Date(`${row.created_at.replace(' ', 'T')}Z`)
      ).toISOString(),
    };
  }

  /** A new event, with its hold time and limits (DEFAULT_HOLDS_PER_USER unless given); the lobby is told. */
  async create(actorId: number | null, request: CreateEventDto): Promise<EventView> {
    const limits = {
      holdsPerUser: this.config.defaultHoldsPerUser,
      ticketsPerUser: null,
      ticketsPerReservation: null,
      ...request.limits,
    };
    const eventId = await this.database.transaction(async (manager) => {
      const created = await manager.save(
        manager.create(EventEntity, {
          name: request.name,
          version: 0,
          totalTickets: 0,
          availableTickets: 0,
          holdTtlSeconds: request.holdTtlSeconds ?? null,
          ...limits,
          createdAt: this.clock.now(),
        }),
      );
      await this.outbox.initialize(manager, created.id);
      await this.audit.record(manager, {
        actorId,
        action: 'event.created',
        eventId: created.id,
        details: { name: created.name, holdTtlSeconds: created.holdTtlSeconds, limits },
      });
      return created.id;
    });
    const view = await this.get(eventId);
    this.live.eventChanged(view);
    return view;
  }

  /** Changes the event's hold time and limits (for reservations from now on); the lobby is told. */
  async update(actorId: number, eventId: number, request: UpdateEventDto): Promise<EventView> {
    await this.database.transaction(async (manager) => {
      const event = await manager.findOneBy(EventEntity, { id: eventId });
      if (!event) throw notFound('Event');
      const before = { holdTtlSeconds: event.holdTtlSeconds, limits: limitsOf(event) };
      if (request.holdTtlSeconds !== undefined) event.holdTtlSeconds = request.holdTtlSeconds;
      Object.assign(event, request.limits ?? {});
      await manager.update(
        EventEntity,
        { id: eventId },
        {
          holdTtlSeconds: event.holdTtlSeconds,
          holdsPerUser: event.holdsPerUser,
          ticketsPerUser: event.ticketsPerUser,
          ticketsPerReservation: event.ticketsPerReservation,
        },
      );
      await this.audit.record(manager, {
        actorId,
        action: 'event.updated',
        eventId,
        details: { before, after: { holdTtlSeconds: event.holdTtlSeconds, limits: limitsOf(event) } },
      });
    });
    const view = await this.get(eventId);
    this.live.eventChanged(view);
    return view;
  }

  /**
   * Deletes the event with everything it holds (EventContents: tickets, reservations; inventory:
   * outbox rows, level count); joined sockets get `event-deleted`. An event with active
   * reservations is deleted only with `force`, and then their holders are told. The version bump
   * first takes the event row's lock, so no reservation commits meanwhile (theirs take it last),
   * and the count of active reservations is the final one.
   */
  async remove(actorId: number, eventId: number, force: boolean): Promise<void> {
    const { version, afterCommit } = await this.database.transaction(async (manager) => {
      const head = await this.outbox.bumpVersion(manager, eventId, { total: 0, available: 0 });
      if (!head) throw notFound('Event');
      const slices = this.timers.slices();
      const afterCommit = await this.contents.deleteAll(manager, eventId, force);
      await this.outbox.forgetEvent(manager, eventId, slices);
      await manager.delete(EventEntity, { id: eventId });
      await this.audit.record(manager, {
        actorId,
        action: 'event.deleted',
        eventId,
        details: { force, version: head.version },
      });
      return { version: head.version, afterCommit };
    });
    afterCommit();
    await this.changes.committed({
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
}

function limitsOf(event: EventEntity): EventLimits {
  return {
    holdsPerUser: event.holdsPerUser,
    ticketsPerUser: event.ticketsPerUser,
    ticketsPerReservation: event.ticketsPerReservation,
  };
}
