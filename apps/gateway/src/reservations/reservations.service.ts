import { Injectable } from '@nestjs/common';
import { ErrorCode, ReservationView } from '@tickets/protocol';
import { PermissionsService } from '../auth/permissions.service';
import type { AuthPrincipal } from '../auth/token.service';
import { AppError, notFound } from '../common/app-error';
import { KeyedMutex } from '../common/keyed-mutex';
import { ClearanceIndexes } from '../inventory/clearance-indexes.service';
import { InventoryFeed } from '../inventory/inventory-feed';
import { ReserveDto } from './dto/reservation.dto';
import { ReservationEntity } from './reservation.entity';
import { MAX_RESERVE_ATTEMPTS, mayCancel } from './reservation-rules';
import { ReservationStore } from './reservation.store';

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
    private readonly store: ReservationStore,
    private readonly indexes: ClearanceIndexes,
    private readonly feed: InventoryFeed,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * Reserves the witness combination of `level`, race-free (see ReservationStore.reserve); on a
   * stale witness refreshes the index and tries the next one, at most MAX_RESERVE_ATTEMPTS times.
   * Idempotent per (user, requestId).
   */
  async reserve(userId: number, eventId: number, request: ReserveDto): Promise<ReservationView> {
    const earlier = await this.store.findByRequest(userId, request.requestId);
    if (earlier) return toReservationView(earlier);
    for (let attempt = 1; attempt <= MAX_RESERVE_ATTEMPTS; attempt++) {
      // One attempt per event at a time on this replica: each takes its witness from an index that
      // already holds the previous local reservation, so local callers never race each other; the
      // event row lock serialises these transactions in the database anyway.
      const outcome = await this.attempts.run(eventId, () => this.attempt(userId, eventId, request, attempt));
      if (outcome !== 'retry') return outcome;
    }
    return this.unavailable(userId, request);
  }

  /** LEVEL_UNAVAILABLE, unless a concurrent call with the same requestId took the level meanwhile. */
  private async unavailable(userId: number, request: ReserveDto): Promise<ReservationView> {
    const same = await this.store.findByRequest(userId, request.requestId);
    if (same) return toReservationView(same);
    throw new AppError(ErrorCode.LEVEL_UNAVAILABLE, `Level ${request.level} is no longer available`);
  }

  async cancel(principal: AuthPrincipal, reservationId: number): Promise<ReservationView> {
    const found = await this.store.findById(reservationId);
    if (!found) throw notFound('Reservation');
    if (!mayCancel(found, principal.userId, await this.permissions.permissionsOf(principal.role))) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Only the owner or a manager may cancel this reservation');
    }
    if (found.status === 'cancelled') return toReservationView(found);
    const { reservation, change } = await this.store.cancel(found);
    await this.feed.publish(change);
    return toReservationView(reservation);
  }

  async mine(userId: number): Promise<ReservationView[]> {
    return (await this.store.listByUser(userId)).map(toReservationView);
  }

  async ofEvent(eventId: number): Promise<ReservationView[]> {
    return (await this.store.listByEvent(eventId)).map(toReservationView);
  }

  private async attempt(userId: number, eventId: number, request: ReserveDto, attempt: number): Promise<ReservationView | 'retry'> {
    const inventory = await this.indexes.get(eventId);
    if (!inventory) throw notFound('Event');
    const witness = inventory.index.combo(request.level);
    if (!witness) {
      // The index may lag a release committed elsewhere; look once more after catching up.
      if (attempt === 1) {
        await this.indexes.catchUp(eventId);
        return 'retry';
      }
      return this.unavailable(userId, request);
    }
    const seenVersion = inventory.version;
    const outcome = await this.store.reserve({ eventId, userId, level: request.level, requestId: request.requestId }, witness);
    if (outcome.kind === 'duplicate') return toReservationView(outcome.reservation);
    if (outcome.kind === 'stale') {
      await this.refresh(eventId, seenVersion);
      return 'retry';
    }
    // Applied to this replica's index before the next local attempt takes its witness.
    await this.feed.publish(outcome.change);
    return toReservationView(outcome.reservation);
  }

  /** After a stale witness: apply what the database has; if that brought nothing new, rebuild. */
  private async refresh(eventId: number, seenVersion: number): Promise<void> {
    await this.indexes.catchUp(eventId);
    const inventory = await this.indexes.get(eventId);
    if (inventory && inventory.version === seenVersion) await this.indexes.rebuild(eventId);
  }
}
