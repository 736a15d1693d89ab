import { Injectable } from '@nestjs/common';
import type { EventSnapshot, EventView } from '@tickets/protocol';
import { notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { InventoryChangeEntity } from '../inventory/inventory-change.entity';
import { ClearanceIndexes, toEventSnapshot } from '../inventory/clearance-indexes.service';
import { InventoryFeed } from '../inventory/inventory-feed';
import { ReservationTicketEntity } from '../reservations/reservation-ticket.entity';
import { ReservationEntity } from '../reservations/reservation.entity';
import { TicketEntity } from '../tickets/ticket.entity';
import { CreateEventDto } from './dto/event.dto';
import { EventEntity } from './event.entity';

@Injectable()
export class EventsService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly indexes: ClearanceIndexes,
    private readonly feed: InventoryFeed,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<EventView[]> {
    const [events, active] = await this.unitOfWork.read(async (manager) => [
      await manager.find(EventEntity, { order: { id: 'ASC' } }),
      await this.activeReservations(manager),
    ] as const);
    return Promise.all(events.map((event) => this.view(event, active.get(event.id) ?? 0)));
  }

  async get(eventId: number): Promise<EventView> {
    const [event, active] = await this.unitOfWork.read(async (manager) => [
      await manager.findOneBy(EventEntity, { id: eventId }),
      await this.activeReservations(manager, eventId),
    ] as const);
    if (!event) throw notFound('Event');
    return this.view(event, active.get(eventId) ?? 0);
  }

  async create(request: CreateEventDto): Promise<EventView> {
    const event = await this.unitOfWork.run((manager) =>
      manager.save(manager.create(EventEntity, { name: request.name, version: 0, totalTickets: 0, availableTickets: 0, createdAt: this.clock.now() })),
    );
    return this.view(event, 0);
  }

  /** Deletes the event with its tickets, reservations and outbox rows; joined sockets get `event-deleted`. */
  async remove(eventId: number): Promise<void> {
    const version = await this.unitOfWork.run(async (manager) => {
      const event = await manager.findOneBy(EventEntity, { id: eventId });
      if (!event) throw notFound('Event');
      const reservationIds = (await manager.find(ReservationEntity, { where: { eventId }, select: { id: true } })).map((r) => r.id);
      for (let i = 0; i < reservationIds.length; i += 1000) {
        await manager.createQueryBuilder().delete().from(ReservationTicketEntity).where('reservation_id IN (:...ids)', { ids: reservationIds.slice(i, i + 1000) }).execute();
      }
      await manager.delete(ReservationEntity, { eventId });
      await manager.delete(TicketEntity, { eventId });
      await manager.delete(InventoryChangeEntity, { eventId });
      await manager.delete(EventEntity, { id: eventId });
      return event.version + 1;
    });
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

  /** The state a socket gets when it joins the event's room. */
  async snapshot(eventId: number): Promise<EventSnapshot> {
    const inventory = await this.indexes.get(eventId);
    if (!inventory) throw notFound('Event');
    return toEventSnapshot(inventory);
  }

  /** Active reservations per event (of one event, when given). */
  private async activeReservations(manager: EntityManager, eventId?: number): Promise<Map<number, number>> {
    const query = manager
      .createQueryBuilder(ReservationEntity, 'r')
      .select('r.event_id', 'eventId')
      .addSelect('COUNT(*)', 'count')
      .where("r.status = 'active'")
      .groupBy('r.event_id');
    if (eventId !== undefined) query.andWhere('r.event_id = :eventId', { eventId });
    const rows = await query.getRawMany<{ eventId: number | string; count: number | string }>();
    return new Map(rows.map((row) => [Number(row.eventId), Number(row.count)]));
  }

  private async view(event: EventEntity, activeReservations: number): Promise<EventView> {
    const inventory = await this.indexes.get(event.id);
    // The index may be ahead of the row read a moment ago; report one consistent state.
    const current = inventory && inventory.version >= event.version ? inventory : null;
    return {
      id: event.id,
      name: event.name,
      totalTickets: current?.totalTickets ?? event.totalTickets,
      availableTickets: current?.availableTickets ?? event.availableTickets,
      levelCount: inventory?.index.size ?? 0,
      activeReservations,
      version: current?.version ?? event.version,
      createdAt: event.createdAt.toISOString(),
    };
  }
}
