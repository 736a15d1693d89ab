import { Injectable } from '@nestjs/common';
import { ErrorCode, ReservationView } from '@tickets/protocol';
import { PermissionsService } from '../auth/permissions.service';
import type { AuthPrincipal } from '../auth/token.service';
import { AppError, notFound } from '../common/app-error';
import { ClearanceIndexes } from '../inventory/clearance-indexes.service';
import { InventoryFeed } from '../inventory/inventory-feed';
import { ReserveDto } from './dto/reservation.dto';
import { ReservationEntity } from './reservation.entity';
import { MAX_RESERVE_ATTEMPTS, mayCancel } from './reservation-rules';
import { ReservationStore } from './reservation.store';

/** How long a stale witness waits for the conflicting change to arrive through the feed. */
const STALE_FEED_WAIT_MS = 30;

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
  /** Per event: tickets of witnesses whose transactions are in flight on this replica. */
  private readonly inFlight = new Map<number, { tickets: Set<number>; settled: Promise<void>; settle: () => void }>();

  constructor(
    private readonly store: ReservationStore,
    private readonly indexes: ClearanceIndexes,
    private readonly feed: InventoryFeed,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * Reserves the witness combination of `level`, race-free (see ReservationStore.reserve); on a
   * stale witness refreshes the index and tries the next one, at most MAX_RESERVE_ATTEMPTS times.
   * Idempotent per (user, requestId): a repeated request fails the unique (user, request) insert
   * and gets the earlier reservation back. No lookup up front, because every round trip on this
   * path waits for a turn of a busy event loop and the first request of a pair is the usual case.
   */
  async reserve(userId: number, eventId: number, request: ReserveDto): Promise<ReservationView> {
    try {
      for (let attempt = 1; attempt <= MAX_RESERVE_ATTEMPTS; attempt++) {
        const outcome = await this.attempt(userId, eventId, request, attempt);
        if (outcome !== 'retry') return outcome;
      }
    } catch (error) {
      // A repeat whose event is gone still gets its reservation back.
      if (error instanceof AppError && error.code === ErrorCode.NOT_FOUND) return this.earlierOr(userId, request, error);
      throw error;
    }
    return this.unavailable(userId, request);
  }

  /** LEVEL_UNAVAILABLE, unless a concurrent call with the same requestId took the level meanwhile. */
  private unavailable(userId: number, request: ReserveDto): Promise<ReservationView> {
    return this.earlierOr(userId, request, new AppError(ErrorCode.LEVEL_UNAVAILABLE, `Level ${request.level} is no longer available`));
  }

  /** The reservation an earlier call with this requestId made, or else `failure`. */
  private async earlierOr(userId: number, request: ReserveDto, failure: AppError): Promise<ReservationView> {
    const same = await this.store.findByRequest(userId, request.requestId);
    if (same) return toReservationView(same);
    throw failure;
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
    const picked = await this.pickWitness(eventId, request.level);
    if (!picked) {
      // The index may lag a release committed elsewhere; look once more after catching up.
      if (attempt === 1) {
        await this.indexes.catchUp(eventId);
        return 'retry';
      }
      return this.unavailable(userId, request);
    }
    const { witness, seenVersion } = picked;
    try {
      const outcome = await this.store.reserve({ eventId, userId, level: request.level, requestId: request.requestId }, witness);
      if (outcome.kind === 'duplicate') return toReservationView(outcome.reservation);
      if (outcome.kind === 'stale') {
        await this.refresh(eventId, seenVersion);
        return 'retry';
      }
      // Applied to this replica's index before the witness's tickets stop counting as in flight.
      await this.feed.publish(outcome.change);
      return toReservationView(outcome.reservation);
    } finally {
      this.release(eventId, witness);
    }
  }

  /**
   * Takes the level's witness from the index and marks its tickets in flight. A witness that
   * shares a ticket with a local transaction still in flight would only fail its conditional
   * update, so it waits for one to finish (the index then no longer offers those tickets); disjoint
   * witnesses go ahead concurrently. Local callers thus never take each other's tickets, and the
   * database commits them in version order under the event row lock.
   */
  private async pickWitness(eventId: number, level: number): Promise<{ witness: number[]; seenVersion: number } | null> {
    for (;;) {
      const { version, ticketIds: witness } = await this.indexes.combo(eventId, level);
      if (!witness) return null;
      const flight = this.inFlight.get(eventId);
      if (flight && witness.some((id) => flight.tickets.has(id))) {
        await flight.settled;
        continue;
      }
      // Synchronous from the answer to here: no other caller can interleave.
      this.hold(eventId, witness);
      return { witness, seenVersion: version };
    }
  }

  private hold(eventId: number, witness: number[]): void {
    let flight = this.inFlight.get(eventId);
    if (!flight) {
      let settle = (): void => undefined;
      const settled = new Promise<void>((resolve) => (settle = resolve));
      flight = { tickets: new Set(), settled, settle };
      this.inFlight.set(eventId, flight);
    }
    for (const id of witness) flight.tickets.add(id);
  }

  /** Wakes every caller waiting on this event's in-flight tickets; they re-read the index. */
  private release(eventId: number, witness: number[]): void {
    const flight = this.inFlight.get(eventId);
    if (!flight) return;
    for (const id of witness) flight.tickets.delete(id);
    this.inFlight.delete(eventId);
    flight.settle();
    if (flight.tickets.size > 0) this.hold(eventId, [...flight.tickets]);
  }

  /**
   * After a stale witness: the change that took the tickets is committed and normally already on
   * its way through the feed, so wait briefly for it; otherwise apply what the outbox has; if even
   * that brought nothing new, rebuild.
   */
  private async refresh(eventId: number, seenVersion: number): Promise<void> {
    if (await this.indexes.waitForVersion(eventId, seenVersion, STALE_FEED_WAIT_MS)) return;
    await this.indexes.catchUp(eventId);
    const inventory = await this.indexes.get(eventId);
    if (inventory && inventory.version <= seenVersion) await this.indexes.rebuild(eventId);
  }
}
