import { Injectable } from '@nestjs/common';
import {
  BulkCreateTicketsResponse,
  ErrorCode,
  Permission,
  TICKET_LIMITS,
  TicketPage,
  TicketView,
} from '@tickets/protocol';
import { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log';
import { PermissionsService } from '../auth/permissions.service';
import type { AuthPrincipal } from '../auth/sessions.service';
import { AppError, notFound } from '../common/app-error';
import { RandomSource } from '../common/random-source';
import { Timers } from '../common/timers';
import { READ_CHUNK_ROWS, WRITE_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { EventEntity } from '../events/event.entity';
import { CommittedChange } from '../inventory/committed-change';
import { InventoryChanges } from '../inventory/inventory-changes';
import { BumpedHead, CounterDelta, InventoryOutbox } from '../inventory/inventory-outbox';
import { labelAt, type BulkRequest } from './bulk-request/bulk-request';
import { BulkRequestReader } from './bulk-request/bulk-request-reader';
import { CreateTicketDto, TicketsQuery } from './dto/ticket.dto';
import { TicketEntity } from './ticket.entity';

/** Tickets about to be created: their values, and their labels where given (else `#n`). */
interface TicketDrafts {
  values: Float64Array;
  labelAt(i: number): string | undefined;
}

/** What an insert created: the tickets as columns, and the committed change. */
interface Inserted {
  ids: number[];
  labels: string[];
  change: CommittedChange;
}

export function toTicketView(ticket: TicketEntity): TicketView {
  return {
    id: ticket.id,
    label: ticket.label,
    value: ticket.value,
    status: ticket.status,
    reservationId: ticket.reservationId,
  };
}

@Injectable()
export class TicketsService {
  constructor(
    private readonly database: Database,
    private readonly outbox: InventoryOutbox,
    private readonly changes: InventoryChanges,
    private readonly random: RandomSource,
    private readonly timers: Timers,
    private readonly bulkRequests: BulkRequestReader,
    private readonly permissions: PermissionsService,
    private readonly audit: AuditLog,
  ) {}

  /** A page of the event's tickets; which reservation holds a ticket only for those who manage reservations. */
  async list(principal: AuthPrincipal, eventId: number, query: TicketsQuery): Promise<TicketPage> {
    const managesReservations = (await this.permissions.permissionsOf(principal.role)).has(
      Permission.RESERVATIONS_MANAGE,
    );
    const offset = query.offset ?? 0;
    const [rows, total] = await this.database.read(async (manager) => {
      if (!(await manager.existsBy(EventEntity, { id: eventId }))) throw notFound('Event');
      return manager.findAndCount(TicketEntity, {
        where: { eventId, ...(query.status ? { status: query.status } : {}) },
        order: { id: 'ASC' },
        skip: offset,
        take: query.limit ?? 100,
      });
    });
    const views = rows.map(toTicketView);
    return {
      total,
      offset,
      rows: managesReservations ? views : views.map((view) => ({ ...view, reservationId: null })),
    };
  }

  async create(actorId: number, eventId: number, request: CreateTicketDto): Promise<TicketView> {
    const { ids, labels } = await this.insert(actorId, eventId, {
      values: Float64Array.of(request.value),
      labelAt: () => request.label,
    });
    return { id: ids[0], label: labels[0], value: request.value, status: 'available', reservationId: null };
  }

  /** Creates up to TICKET_LIMITS.maxPerBulkCall tickets from a raw JSON body, decoded off the event loop. */
  async bulkCreate(actorId: number, eventId: number, body: unknown): Promise<BulkCreateTicketsResponse> {
    return this.createMany(actorId, eventId, await this.bulkRequests.read(body));
  }

  /** Creates `count` tickets of random values in [minValue, maxValue] (the demo event, by the system). */
  createRandom(
    eventId: number,
    count: number,
    minValue: number,
    maxValue: number,
  ): Promise<BulkCreateTicketsResponse> {
    return this.createMany(null, eventId, { kind: 'random', count, minValue, maxValue });
  }

  private async createMany(
    actorId: number | null,
    eventId: number,
    request: BulkRequest,
  ): Promise<BulkCreateTicketsResponse> {
    const { ids, change } = await this.insert(actorId, eventId, await this.draftsOf(request));
    return {
      created: ids.length,
      firstId: ids[0] ?? null,
      lastId: ids.at(-1) ?? null,
      version: change.version,
    };
  }

  /** Deletes an available ticket; a reserved one answers CONFLICT. */
  async remove(actorId: number, eventId: number, ticketId: number): Promise<void> {
    const change = await this.database.transaction(async (manager) => {
      const ticket = await manager.findOneBy(TicketEntity, { id: ticketId, eventId });
      if (!ticket) throw notFound('Ticket');
      const head = await this.bumpVersion(manager, eventId, {
        total: -1,
        available: -1,
        value: -ticket.value,
      });
      const deleted = await manager
        .createQueryBuilder()
        .delete()
        .from(TicketEntity)
        .where("id = :ticketId AND status = 'available'", { ticketId })
        .execute();
      if (deleted.affected !== 1)
        throw new AppError(ErrorCode.CONFLICT, 'Ticket is reserved; cancel its reservation first');
      await this.audit.record(manager, {
        actorId,
        action: 'ticket.deleted',
        eventId,
        details: { ticketId, label: ticket.label, value: ticket.value },
      });
      return this.outbox.recordChange(manager, head, {
        cause: 'ticket-deleted',
        ticketIds: [ticketId],
        values: null,
      });
    });
    await this.changes.committed(change);
  }

  /** Values for a random batch are drawn a chunk per turn of the event loop (100,000 draws take tens of milliseconds). */
  private async draftsOf(request: BulkRequest): Promise<TicketDrafts> {
    if (request.kind === 'list')
      return { values: request.values, labelAt: (i) => labelAt(request.labels, i) };
    const values = new Float64Array(request.count);
    const slices = this.timers.slices();
    for (let i = 0; i < values.length; i++) {
      values[i] = this.random.int(request.minValue, request.maxValue);
      if (i % WRITE_CHUNK_ROWS === 0) await slices.breathe();
    }
    return { values, labelAt: () => undefined };
  }

  /**
   * Inserts tickets with their outbox row in one transaction, in chunks with a turn of the event
   * loop between them (SQLite runs each statement synchronously), then reads their ids back.
   */
  private async insert(actorId: number | null, eventId: number, drafts: TicketDrafts): Promise<Inserted> {
    const count = drafts.values.length;
    let valueSum = 0;
    for (const value of drafts.values) valueSum += value;
    const result = await this.database.transaction(async (manager) => {
      const head = await this.bumpVersion(manager, eventId, {
        total: count,
        available: count,
        value: valueSum,
      });
      if (head.totalTickets > TICKET_LIMITS.maxPerEvent) {
        throw new AppError(
          ErrorCode.VALIDATION_FAILED,
          `An event holds at most ${TICKET_LIMITS.maxPerEvent} tickets`,
        );
      }
      if (head.totalValue > TICKET_LIMITS.maxEventValueTotal) {
        throw new AppError(
          ErrorCode.VALIDATION_FAILED,
          `The event's ticket values would add up to more than ${TICKET_LIMITS.maxEventValueTotal}`,
        );
      }
      const labelBase = head.totalTickets - count;
      const [{ maxId }] = (await manager.query(
        'SELECT COALESCE(MAX(id), 0) AS maxId FROM tickets WHERE event_id = ?',
        [eventId],
      )) as {
        maxId: number | string;
      }[];
      const slices = this.timers.slices();
      for (let i = 0; i < count; i += WRITE_CHUNK_ROWS) {
        const end = Math.min(count, i + WRITE_CHUNK_ROWS);
        const params: (number | string)[] = [];
        for (let j = i; j < end; j++)
          params.push(eventId, drafts.labelAt(j) ?? `#${labelBase + j + 1}`, drafts.values[j]);
        await manager.query(
          `INSERT INTO tickets (event_id, label, value, status, reservation_id) VALUES ${"(?, ?, ?, 'available', NULL), ".repeat(end - i).slice(0, -2)}`,
          params,
        );
        await slices.breathe();
      }
      const created = await this.readBack(manager, eventId, Number(maxId));
      // bumpVersion() counted `count` tickets; the read-back must agree or the counters would lie.
      if (created.ids.length !== count)
        throw new Error(`inserted ${count} tickets but read back ${created.ids.length}`);
      const change = await this.outbox.recordChange(manager, head, {
        cause: 'ticket-created',
        ticketIds: created.ids,
        values: created.values,
      });
      await this.audit.record(manager, {
        actorId,
        action: 'tickets.created',
        eventId,
        details: { count, firstId: created.ids[0], lastId: created.ids.at(-1), valueSum },
      });
      return { ids: created.ids, labels: created.labels, change };
    });
    await this.changes.committed(result.change);
    return result;
  }

  /** The event's tickets above `afterId` (ours: bumpVersion() holds the event row's lock), a chunk per turn of the event loop. */
  private async readBack(
    manager: EntityManager,
    eventId: number,
    afterId: number,
  ): Promise<{ ids: number[]; values: number[]; labels: string[] }> {
    const ids: number[] = [];
    const values: number[] = [];
    const labels: string[] = [];
    const slices = this.timers.slices();
    for (let after = afterId; ;) {
      const rows = (await manager.query(
        'SELECT id, label, value FROM tickets WHERE event_id = ? AND id > ? ORDER BY id LIMIT ?',
        [eventId, after, READ_CHUNK_ROWS],
      )) as { id: number | string; label: string; value: number | string }[];
      for (const row of rows) {
        ids.push(Number(row.id));
        labels.push(row.label);
        values.push(Number(row.value));
      }
      if (rows.length < READ_CHUNK_ROWS) return { ids, values, labels };
      after = ids[ids.length - 1];
      await slices.breathe();
    }
  }

  private async bumpVersion(
    manager: EntityManager,
    eventId: number,
    delta: CounterDelta,
  ): Promise<BumpedHead> {
    const head = await this.outbox.bumpVersion(manager, eventId, delta);
    if (!head) throw notFound('Event');
    return head;
  }
}
