import { Inject, Injectable } from '@nestjs/common';
import {
  COMBO_PAGE_MAX_LIMIT,
  ErrorCode,
  type AuditEntry,
  type EventLimitsView,
  type ReservationDetail,
  type ReservationPage,
  type ReservationView,
} from '@tickets/protocol';
import { AuditLog } from '../audit/audit-log';
import { AbuseLimits } from '../abuse/abuse-limits';
import { PermissionsService } from '../auth/permissions.service';
import type { AuthPrincipal } from '../auth/sessions.service';
import { AppError, LimitReachedError, notFound } from '../common/app-error';
import { LiveUpdates } from '../common/live-updates';
import { RandomSource } from '../common/random-source';
import { LocalInventory } from '../inventory/local-inventory';
import { InventoryChanges } from '../inventory/inventory-changes';
import { ReservationsQueryDto, ReservationTicketsQueryDto, ReserveDto } from './dto/reservation.dto';
import { ReservationEntity } from './reservation.entity';
import { cancelledStatus, MAX_RESERVE_ATTEMPTS, mayCancel } from './reservation-rules';
import { ReservationStore } from './reservation.store';
import { toReservationView } from './reservation-views';

/** The earlier reservation of a repeated requestId; CONFLICT when the repeat asks for something else. */
function repeatOf(earlier: ReservationEntity, eventId: number, request: ReserveDto): ReservationView {
  if (earlier.eventId !== eventId || earlier.level !== request.level) {
    throw new AppError(
      ErrorCode.CONFLICT,
      `requestId ${request.requestId} was used for level ${earlier.level} of event ${earlier.eventId}; choose a new one for another reservation`,
    );
  }
  return toReservationView(earlier);
}

/**
 * What ReservationsService uses of its injected collaborators, by name: the unit test's fakes
 * implement exactly these (Nest still injects the classes, named by @Inject).
 */
export type ReservationStorePort = Pick<
  ReservationStore,
  | 'findById'
  | 'findByRequest'
  | 'reserve'
  | 'confirm'
  | 'cancel'
  | 'termsAndUsage'
  | 'ticketsOf'
  | 'listByUser'
  | 'pageByEvent'
>;
export type LocalInventoryPort = Pick<
  LocalInventory,
  'hold' | 'combo' | 'release' | 'catchUp' | 'catchUpPast'
>;
export type PermissionsServicePort = Pick<PermissionsService, 'permissionsOf'>;
export type AuditLogPort = Pick<AuditLog, 'ofReservation'>;

@Injectable()
export class ReservationsService {
  /** Per event: local reservations in flight (their tickets held in the index). */
  private readonly inFlight = new Map<number, number>();
  /** Per event: callers waiting for one of those transactions to end. */
  private readonly releaseWaiters = new Map<number, (() => void)[]>();

  constructor(
    @Inject(ReservationStore) private readonly store: ReservationStorePort,
    @Inject(LocalInventory) private readonly inventory: LocalInventoryPort,
    private readonly changes: InventoryChanges,
    @Inject(PermissionsService) private readonly permissions: PermissionsServicePort,
    private readonly random: RandomSource,
    private readonly live: LiveUpdates,
    private readonly abuse: AbuseLimits,
    @Inject(AuditLog) private readonly audit: AuditLogPort,
  ) {}

  /**
   * Reserves the witness combination of `level`, race-free (see ReservationStore.reserve), at
   * most MAX_RESERVE_ATTEMPTS times. A stale witness (another replica took one of its tickets)
   * is retried at once with a witness that avoids all its tickets; a second one in a row first
   * catches the index up. Idempotent per (user, requestId): a repeated request fails the unique
   * (user, request) insert and gets the earlier reservation back, provided it names the same event
   * and level (else CONFLICT). No lookup up front, because every round trip on this path waits for
   * a turn of a busy event loop and the first request of a pair is the usual case. Every call
   * counts against the user's RESERVE_RATE_LIMIT, REST and socket alike.
   */
  async reserve(userId: number, eventId: number, request: ReserveDto): Promise<ReservationView> {
    await this.abuse.reserve(userId);
    // Tickets of this request's stale witnesses: most likely taken by another replica already.
    const suspect = new Set<number>();
    try {
      for (let attempt = 1; attempt <= MAX_RESERVE_ATTEMPTS; attempt++) {
        const outcome = await this.attempt(userId, eventId, request, attempt, suspect);
        if (outcome !== 'retry') return outcome;
      }
    } catch (error) {
      // A repeat whose event is gone still gets its reservation back.
      if (error instanceof AppError && error.code === ErrorCode.NOT_FOUND)
        return this.earlierOr(userId, eventId, request, error);
      throw error;
    }
    return this.unavailable(userId, eventId, request);
  }

  /** LEVEL_UNAVAILABLE, unless a concurrent call with the same requestId took the level meanwhile. */
  private unavailable(userId: number, eventId: number, request: ReserveDto): Promise<ReservationView> {
    return this.earlierOr(
      userId,
      eventId,
      request,
      new AppError(ErrorCode.LEVEL_UNAVAILABLE, `Level ${request.level} is no longer available`),
    );
  }

  /** The reservation an earlier call with this requestId made, or else `failure`. */
  private async earlierOr(
    userId: number,
    eventId: number,
    request: ReserveDto,
    failure: AppError,
  ): Promise<ReservationView> {
    const same = await this.store.findByRequest(userId, request.requestId);
    if (same) return repeatOf(same, eventId, request);
    throw failure;
  }

  /**
   * Confirms the caller's hold before it runs out: final from then on. A repeat answers the
   * confirmed reservation; a hold that ran out (even if not swept yet) answers HOLD_EXPIRED; a
   * cancelled or released one CONFLICT. Only the holder confirms (to anyone else it does not exist).
   */
  async confirm(principal: AuthPrincipal, reservationId: number): Promise<ReservationView> {
    const found = await this.store.findById(reservationId);
    if (!found || found.userId !== principal.userId) throw notFound('Reservation');
    // Every confirm of a hold goes through the store's conditional update, which waits for the
    // row's lock, even one that looks late by this replica's clock: another confirm of the same
    // hold may be committing, and both answers must agree with what the database settles.
    const outcome =
      found.status === 'held'
        ? await this.store.confirm(found, principal.userId)
        : { kind: 'unchanged' as const, reservation: found };
    const { reservation } = outcome;
    if (reservation.status === 'confirmed') return toReservationView(reservation);
    if (reservation.status === 'held' || reservation.status === 'expired') {
      throw new AppError(
        ErrorCode.HOLD_EXPIRED,
        'The hold ran out before it was confirmed; its tickets are back on sale',
      );
    }
    throw new AppError(ErrorCode.CONFLICT, `The reservation was ${reservation.status}`);
  }

  /**
   * Cancels a reservation (the holder: `cancelled`) or releases it (a manager: `released`), held or
   * confirmed; its tickets go back on sale and the holder is told live when someone else did it.
   * One that no longer holds tickets is answered as it is. Another user's reservation answers
   * NOT_FOUND: it is none of their business that it exists.
   */
  async cancel(principal: AuthPrincipal, reservationId: number): Promise<ReservationView> {
    const found = await this.visibleTo(principal, reservationId);
    if (found.status !== 'held' && found.status !== 'confirmed') return toReservationView(found);
    const byHolder = found.userId === principal.userId;
    const { reservation, change } = await this.store.cancel(
      found,
      cancelledStatus(byHolder),
      principal.userId,
    );
    await this.changes.committed(change);
    const view = toReservationView(reservation);
    if (!byHolder)
      this.live.reservationChanged(reservation.userId, { reason: 'released-by-admin', reservation: view });
    return view;
  }

  /** The history of a reservation of the caller's (or any, for a manager), oldest first. */
  async history(principal: AuthPrincipal, reservationId: number): Promise<AuditEntry[]> {
    const reservation = await this.visibleTo(principal, reservationId);
    return this.audit.ofReservation(reservation.id);
  }

  /** The event's limits and what the caller holds there (so a client can tell which levels they cannot take). */
  async limitsOf(userId: number, eventId: number): Promise<EventLimitsView> {
    const found = await this.store.termsAndUsage(eventId, userId);
    if (!found) throw notFound('Event');
    return { eventId, limits: found.terms.limits, holds: found.usage.holds, tickets: found.usage.tickets };
  }

  /** One reservation of the caller's (or any, for a manager), with a page of its tickets. */
  async detail(
    principal: AuthPrincipal,
    reservationId: number,
    query: ReservationTicketsQueryDto,
  ): Promise<ReservationDetail> {
    const reservation = await this.visibleTo(principal, reservationId);
    const ticketsOffset = query.offset ?? 0;
    const tickets = await this.store.ticketsOf(
      reservation.ticketIds.slice(ticketsOffset, ticketsOffset + (query.limit ?? COMBO_PAGE_MAX_LIMIT)),
    );
    return { ...toReservationView(reservation), ticketsOffset, tickets };
  }

  async mine(userId: number): Promise<ReservationView[]> {
    return (await this.store.listByUser(userId)).map(toReservationView);
  }

  /** A page of the event's reservations with their holders. */
  async ofEvent(eventId: number, query: ReservationsQueryDto): Promise<ReservationPage> {
    const offset = query.offset ?? 0;
    const { total, rows } = await this.store.pageByEvent(eventId, {
      offset,
      limit: query.limit ?? 50,
      status: query.status,
    });
    return {
      total,
      offset,
      rows: rows.map(({ reservation, holder }) => ({ ...toReservationView(reservation), holder })),
    };
  }

  /** The reservation, if it is the caller's or the caller manages reservations; else NOT_FOUND. */
  private async visibleTo(principal: AuthPrincipal, reservationId: number): Promise<ReservationEntity> {
    const found = await this.store.findById(reservationId);
    if (!found || !mayCancel(found, principal.userId, await this.permissions.permissionsOf(principal.role)))
      throw notFound('Reservation');
    return found;
  }

  private async attempt(
    userId: number,
    eventId: number,
    request: ReserveDto,
    attempt: number,
    suspect: Set<number>,
  ): Promise<ReservationView | 'retry'> {
    const picked = await this.pickWitness(eventId, request.level, suspect);
    if (picked === 'suspects-only') {
      // Only tickets we suspect make the level: catch up to learn which are really gone.
      await this.inventory.catchUp(eventId);
      suspect.clear();
      return 'retry';
    }
    if (picked === 'unavailable') {
      // The index may lag a release committed elsewhere; look once more after catching up.
      if (attempt === 1) {
        await this.inventory.catchUp(eventId);
        return 'retry';
      }
      return this.unavailable(userId, eventId, request);
    }
    const { witness, seenVersion } = picked;
    let committed = false;
    let released = false;
    try {
      const outcome = await this.store.reserve(
        { eventId, userId, level: request.level, requestId: request.requestId },
        witness,
      );
      if (outcome.kind === 'duplicate') return repeatOf(outcome.reservation, eventId, request);
      if (outcome.kind === 'limit') {
        // A repeat of a request that got its reservation is not refused for holding it.
        const earlier = await this.store.findByRequest(userId, request.requestId);
        if (earlier) return repeatOf(earlier, eventId, request);
        throw new LimitReachedError(outcome.limit);
      }
      if (outcome.kind === 'stale') {
        // Give the tickets back before waiting: other callers may take the free ones meanwhile.
        this.release(eventId, witness, false);
        released = true;
        if (suspect.size > 0) {
          // Stale twice in a row: let the index catch up before guessing again.
          await this.inventory.catchUpPast(eventId, seenVersion);
          suspect.clear();
        } else {
          for (const id of witness) suspect.add(id);
        }
        return 'retry';
      }
      committed = true;
      // Applied to this replica's index (which drops the held tickets) before the call ends.
      await this.changes.committed(outcome.change);
      return toReservationView(outcome.reservation);
    } finally {
      if (!released) this.release(eventId, witness, committed);
    }
  }

  /**
   * Takes a witness of the level held for this call (see LocalInventory.hold): it shares no
   * ticket with another local reservation in flight (that would only fail its conditional update),
   * nor with `suspect`. Local callers thus never take each other's tickets, and wait for each other
   * only when the level can be made of tickets in flight alone; the database commits them in
   * version order under the event row lock.
   */
  private async pickWitness(
    eventId: number,
    level: number,
    suspect: ReadonlySet<number>,
  ): Promise<{ witness: number[]; seenVersion: number } | 'unavailable' | 'suspects-only'> {
    for (;;) {
      // A random spread: this replica's choices among equal tickets mostly differ from another's.
      const spread = this.random.int(0, 2 ** 30);
      const { version, ticketIds: witness } = await this.inventory.hold(eventId, level, [...suspect], spread);
      if (witness) {
        this.inFlight.set(eventId, (this.inFlight.get(eventId) ?? 0) + 1);
        return { witness, seenVersion: version };
      }
      // Unreachable even with the held and suspect tickets: unavailable, whatever happens to them.
      if ((await this.inventory.combo(eventId, level)).ticketIds === null) return 'unavailable';
      if (!this.inFlight.get(eventId)) return 'suspects-only';
      // Only tickets in flight make the level now: look again once one of those reservations ends.
      await this.nextRelease(eventId);
    }
  }

  /** A local reservation ended; its tickets are given back unless it committed (then the index dropped them). */
  private release(eventId: number, witness: number[], committed: boolean): void {
    if (!committed) void this.inventory.release(eventId, witness).catch(() => undefined);
    const count = (this.inFlight.get(eventId) ?? 1) - 1;
    if (count > 0) this.inFlight.set(eventId, count);
    else this.inFlight.delete(eventId);
    const waiting = this.releaseWaiters.get(eventId) ?? [];
    this.releaseWaiters.delete(eventId);
    for (const wake of waiting) wake();
  }

  /** Resolves when the next local reservation of this event ends. */
  private nextRelease(eventId: number): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.releaseWaiters.get(eventId) ?? [];
      waiting.push(resolve);
      this.releaseWaiters.set(eventId, waiting);
    });
  }
}
