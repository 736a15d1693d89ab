import { Injectable } from '@nestjs/common';
import { DEFAULT_MAX_TOTAL } from '@tickets/clearance';
import { BulkCreateTicketsResponse, ErrorCode, TicketPage, TicketView } from '@tickets/protocol';
import { EntityManager } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { RandomSource } from '../common/random-source';
import { UnitOfWork } from '../database/unit-of-work';
import { EventEntity } from '../events/event.entity';
import { CommittedChange } from '../inventory/committed-change';
import { InventoryFeed } from '../inventory/inventory-feed';
import { CounterDelta, EventHead, InventoryOutbox } from '../inventory/inventory-outbox';
import { BulkCreateTicketsDto, CreateTicketDto, TicketsQuery } from './dto/ticket.dto';
import { TicketEntity } from './ticket.entity';

const INSERT_CHUNK = 1000;

export function toTicketView(ticket: TicketEntity): TicketView {
  return { id: ticket.id, label: ticket.label, value: ticket.value, status: ticket.status, reservationId: ticket.reservationId };
}

@Injectable()
export class TicketsService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: InventoryOutbox,
    private readonly feed: InventoryFeed,
    private readonly random: RandomSource,
  ) {}

  async list(eventId: number, query: TicketsQuery): Promise<TicketPage> {
    const offset = query.offset ?? 0;
    const [rows, total] = await this.unitOfWork.read(async (manager) => {
      if (!(await manager.existsBy(EventEntity, { id: eventId }))) throw notFound('Event');
      return manager.findAndCount(TicketEntity, {
        where: { eventId, ...(query.status ? { status: query.status } : {}) },
        order: { id: 'ASC' },
        skip: offset,
        take: query.limit ?? 100,
      });
    });
    return { total, offset, rows: rows.map(toTicketView) };
  }

  async create(eventId: number, request: CreateTicketDto): Promise<TicketView> {
    const { created } = await this.insert(eventId, [{ label: request.label, value: request.value }]);
    return toTicketView(created[0]);
  }

  async bulkCreate(eventId: number, request: BulkCreateTicketsDto): Promise<BulkCreateTicketsResponse> {
    let drafts: { label?: string; value: number }[];
    if (request.tickets && request.count !== undefined) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Give either tickets or count/minValue/maxValue, not both');
    }
    if (request.tickets) {
      drafts = request.tickets;
    } else {
      const { count = 0, minValue = 1, maxValue = 1 } = request;
      if (minValue > maxValue) throw new AppError(ErrorCode.VALIDATION_FAILED, 'minValue must not exceed maxValue');
      drafts = Array.from({ length: count }, () => ({ value: this.random.int(minValue, maxValue) }));
    }
    const { created, change } = await this.insert(eventId, drafts);
    return { created: created.length, firstId: created[0]?.id ?? null, lastId: created.at(-1)?.id ?? null, version: change.version };
  }

  /** Deletes an available ticket; a reserved one answers CONFLICT. */
  async remove(eventId: number, ticketId: number): Promise<void> {
    const change = await this.unitOfWork.run(async (manager) => {
      const head = await this.begin(manager, eventId, { total: -1, available: -1 });
      const ticket = await manager.findOneBy(TicketEntity, { id: ticketId, eventId });
      if (!ticket) throw notFound('Ticket');
      const deleted = await manager
        .createQueryBuilder()
        .delete()
        .from(TicketEntity)
        .where("id = :ticketId AND status = 'available'", { ticketId })
        .execute();
      if (deleted.affected !== 1) throw new AppError(ErrorCode.CONFLICT, 'Ticket is reserved; cancel its reservation first');
      return this.outbox.record(manager, head, { cause: 'ticket-deleted', ticketIds: [ticketId], values: null });
    });
    await this.feed.publish(change);
  }

  /** Inserts tickets in chunks inside one transaction with their outbox row. */
  private async insert(
    eventId: number,
    drafts: { label?: string; value: number }[],
  ): Promise<{ created: TicketEntity[]; change: CommittedChange }> {
    const result = await this.unitOfWork.run(async (manager) => {
      const head = await this.begin(manager, eventId, { total: drafts.length, available: drafts.length });
      const labelBase = head.totalTickets - drafts.length;
      const { maxId, valueSum } = (await manager
        .createQueryBuilder(TicketEntity, 't')
        .select('COALESCE(MAX(t.id), 0)', 'maxId')
        .addSelect('COALESCE(SUM(t.value), 0)', 'valueSum')
        .where('t.event_id = :eventId', { eventId })
        .getRawOne<{ maxId: string | number; valueSum: string | number }>()) ?? { maxId: 0, valueSum: 0 };
      const addedSum = drafts.reduce((sum, draft) => sum + draft.value, 0);
      if (Number(valueSum) + addedSum > DEFAULT_MAX_TOTAL) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, `The event's ticket values would add up to more than ${DEFAULT_MAX_TOTAL}`);
      }
      // Plain multi-row INSERTs: the query builder's per-parameter bookkeeping dominates at 100,000 rows.
      for (let i = 0; i < drafts.length; i += INSERT_CHUNK) {
        const chunk = drafts.slice(i, i + INSERT_CHUNK);
        const params = chunk.flatMap((draft, j) => [eventId, draft.label ?? `#${labelBase + i + j + 1}`, draft.value]);
        const rows = chunk.map(() => "(?, ?, ?, 'available', NULL)").join(', ');
        await manager.query(`INSERT INTO tickets (event_id, label, value, status, reservation_id) VALUES ${rows}`, params);
      }
      // The event row is locked by begin(), so every ticket of this event above maxId is one of ours.
      const raw = (await manager.query('SELECT id, label, value FROM tickets WHERE event_id = ? AND id > ? ORDER BY id', [
        eventId,
        Number(maxId),
      ])) as { id: number | string; label: string; value: number | string }[];
      const created = raw.map((row) =>
        Object.assign(new TicketEntity(), {
          id: Number(row.id),
          eventId,
          label: row.label,
          value: Number(row.value),
          status: 'available' as const,
          reservationId: null,
        }),
      );
      const change = await this.outbox.record(manager, head, {
        cause: 'ticket-created',
        ticketIds: created.map((t) => t.id),
        values: created.map((t) => t.value),
      });
      // begin() counted drafts.length; the read-back must agree or the counters would lie.
      if (created.length !== drafts.length) throw new Error(`inserted ${drafts.length} tickets but read back ${created.length}`);
      return { created, change };
    });
    await this.feed.publish(result.change);
    return result;
  }

  private async begin(manager: EntityManager, eventId: number, delta: CounterDelta): Promise<EventHead> {
    const head = await this.outbox.begin(manager, eventId, delta);
    if (!head) throw notFound('Event');
    return head;
  }
}
