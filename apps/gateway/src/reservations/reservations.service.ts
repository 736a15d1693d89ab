import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ErrorCode, ReservationView } from '@tickets/protocol';
import { EntityManager, In, Repository } from 'typeorm';
import { PermissionsService } from '../auth/permissions.service';
import type { AuthPrincipal } from '../auth/token.service';
import { AppError, notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { KeyedMutex } from '../common/keyed-mutex';
import { isUniqueViolation, UnitOfWork } from '../database/unit-of-work';
import { ClearanceIndexes } from '../inventory/clearance-indexes.service';
import { CommittedChange } from '../inventory/committed-change';
import { InventoryFeed } from '../inventory/inventory-feed';
import { InventoryOutbox } from '../inventory/inventory-outbox';
import { TicketEntity } from '../tickets/ticket.entity';
import { ReserveDto } from './dto/reservation.dto';
import { ReservationTicketEntity } from './reservation-ticket.entity';
import { ReservationEntity } from './reservation.entity';
import { isWholeCombination, MAX_RESERVE_ATTEMPTS, mayCancel } from './reservation-rules';

const ROW_CHUNK = 1000;

/** Thrown inside the transaction when the witness was no longer fully available: roll back and retry. */
class StaleWitness extends Error {}

export function toReservationView(reservation: ReservationEntity): ReservationView {
  return {
    id: reservation.id,
    eventId: reservation.eventId,
    level: reservation.level,
    ticketIds: reservation.ticketIds,
    userId: reservation.userId,
    status: reservation.status,
    createdAt: reservation.createdAt.toISOString(),
  };
}

@Injectable()
export class ReservationsService {
  private readonly attempts = new KeyedMutex<number>();

  constructor(
    @InjectRepository(ReservationEntity) private readonly reservations: Repository<ReservationEntity>,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: InventoryOutbox,
    private readonly indexes: ClearanceIndexes,
    private readonly feed: InventoryFeed,
    private readonly permissions: PermissionsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Reserves the witness combination of `level`, race-free: one transaction flips exactly those
   * tickets with a conditional UPDATE and requires every one of them to change; otherwise it rolls
   * back, refreshes the index and tries the next witness. Idempotent per (user, requestId).
   */
  async reserve(userId: number, eventId: number, request: ReserveDto): Promise<ReservationView> {
    const earlier = await this.reservations.findOneBy({ userId, requestId: request.requestId });
    if (earlier) return toReservationView(earlier);

    for (let attempt = 1; attempt <= MAX_RESERVE_ATTEMPTS; attempt++) {
      // One attempt per event at a time on this replica: each takes its witness from an index that
      // already holds the previous local reservation, so local callers never race each other; the
      // event row lock serialises these transactions in the database anyway.
      const outcome = await this.attempts.run(eventId, () => this.attempt(userId, eventId, request, attempt));
      if (outcome !== 'retry') return outcome;
    }
    throw new AppError(ErrorCode.LEVEL_UNAVAILABLE, `Level ${request.level} is no longer available`);
  }

  private async attempt(userId: number, eventId: number, request: ReserveDto, attempt: number): Promise<ReservationView | 'retry'> {
    const inventory = await this.indexes.get(eventId);
    if (!inventory) throw notFound('Event');
    const combo = inventory.index.combo(request.level);
    if (!combo) {
      // The index may lag a release committed elsewhere; look once more after catching up.
      if (attempt === 1) {
        await this.indexes.catchUp(eventId);
        return 'retry';
      }
      throw new AppError(ErrorCode.LEVEL_UNAVAILABLE, `Level ${request.level} is no longer available`);
    }
    let outcome: { reservation: ReservationEntity; change: CommittedChange | null };
    try {
      outcome = await this.unitOfWork.run((manager) => this.reserveWitness(manager, userId, eventId, request, combo));
    } catch (error) {
      if (error instanceof StaleWitness) {
        await this.refresh(eventId, inventory.version);
        return 'retry';
      }
      if (isUniqueViolation(error)) {
        // Either the same requestId committed concurrently, or a ticket is already held (stale witness).
        const same = await this.reservations.findOneBy({ userId, requestId: request.requestId });
        if (same) return toReservationView(same);
        await this.refresh(eventId, inventory.version);
        return 'retry';
      }
      throw error;
    }
    // Applied to this replica's index before the next local attempt takes its witness.
    if (outcome.change) await this.feed.publish(outcome.change);
    return toReservationView(outcome.reservation);
  }

  async cancel(principal: AuthPrincipal, reservationId: number): Promise<ReservationView> {
    const found = await this.reservations.findOneBy({ id: reservationId });
    if (!found) throw notFound('Reservation');
    if (!mayCancel(found, principal.userId, await this.permissions.permissionsOf(principal.role))) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Only the owner or a manager may cancel this reservation');
    }
    if (found.status === 'cancelled') return toReservationView(found);
    const { reservation, change } = await this.unitOfWork.run(async (manager) => {
      const head = await this.outbox.begin(manager, found.eventId);
      if (!head) throw notFound('Event');
      const cancelled = await manager
        .createQueryBuilder()
        .update(ReservationEntity)
        .set({ status: 'cancelled' })
        .where("id = :reservationId AND status = 'active'", { reservationId })
        .execute();
      if (cancelled.affected !== 1) throw new AppError(ErrorCode.CONFLICT, 'Reservation was cancelled concurrently');
      const tickets = await manager.find(TicketEntity, { where: { reservationId }, order: { id: 'ASC' } });
      await manager
        .createQueryBuilder()
        .update(TicketEntity)
        .set({ status: 'available', reservationId: null })
        .where('reservation_id = :reservationId', { reservationId })
        .execute();
      await manager.delete(ReservationTicketEntity, { reservationId });
      const change = await this.outbox.record(manager, head, {
        cause: 'released',
        ticketIds: tickets.map((t) => t.id),
        values: tickets.map((t) => t.value),
        totalDelta: 0,
        availableDelta: tickets.length,
      });
      return { reservation: { ...found, status: 'cancelled' as const }, change };
    });
    await this.feed.publish(change);
    return toReservationView(reservation);
  }

  async mine(userId: number): Promise<ReservationView[]> {
    return (await this.reservations.find({ where: { userId }, order: { id: 'DESC' } })).map(toReservationView);
  }

  async ofEvent(eventId: number): Promise<ReservationView[]> {
    return (await this.reservations.find({ where: { eventId }, order: { id: 'ASC' } })).map(toReservationView);
  }

  private async reserveWitness(
    manager: EntityManager,
    userId: number,
    eventId: number,
    request: ReserveDto,
    combo: number[],
  ): Promise<{ reservation: ReservationEntity; change: CommittedChange | null }> {
    // Locks the event row: changes to one event commit one at a time, in version order.
    const head = await this.outbox.begin(manager, eventId);
    if (!head) throw notFound('Event');
    const reservation = await manager.save(
      manager.create(ReservationEntity, {
        eventId,
        userId,
        level: request.level,
        status: 'active',
        requestId: request.requestId,
        ticketIds: combo,
        createdAt: this.clock.now(),
      }),
    );
    let flipped = 0;
    for (let i = 0; i < combo.length; i += ROW_CHUNK) {
      const result = await manager
        .createQueryBuilder()
        .update(TicketEntity)
        .set({ status: 'reserved', reservationId: reservation.id })
        .where({ id: In(combo.slice(i, i + ROW_CHUNK)), eventId, status: 'available' })
        .execute();
      flipped += result.affected ?? 0;
    }
    if (!isWholeCombination(flipped, combo.length)) throw new StaleWitness();
    for (let i = 0; i < combo.length; i += ROW_CHUNK) {
      await manager.insert(
        ReservationTicketEntity,
        combo.slice(i, i + ROW_CHUNK).map((ticketId) => ({ ticketId, reservationId: reservation.id })),
      );
    }
    const change = await this.outbox.record(manager, head, {
      cause: 'reserved',
      ticketIds: combo,
      values: null,
      totalDelta: 0,
      availableDelta: -combo.length,
    });
    return { reservation, change };
  }

  /** After a stale witness: apply what the database has; if that brought nothing new, rebuild. */
  private async refresh(eventId: number, seenVersion: number): Promise<void> {
    await this.indexes.catchUp(eventId);
    const inventory = await this.indexes.get(eventId);
    if (inventory && inventory.version === seenVersion) await this.indexes.rebuild(eventId);
  }
}
