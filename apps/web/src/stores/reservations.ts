import type {
  AuditEntry,
  ComboTicket,
  EventLimitsView,
  LimitName,
  ReservationDetail,
  ReservationNotice,
  ReservationPage,
  ReservationStatus,
  ReservationView,
} from '@tickets/protocol';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { api, ApiError, errorMessage } from '../api/http';
import { useClock } from '../lib/clock';
import { newRequestId } from '../lib/requestId';
import {
  allowanceOf,
  applyReservationNotice,
  isActive,
  blockingLimit,
  groupMine,
  holdSecondsLeft,
  limitMessage,
  noticeKind,
  noticeText,
} from '../live/reservations';
import {
  confirmReservation,
  isSocketConnected,
  onServer,
  reserveLevel,
  SocketRequestError,
} from '../realtime/socket';
import { useNoticesStore } from './notices';

/**
 * Tickets of a reservation loaded to show it (a reservation may hold 100,000): the rest are
 * counted from `ticketCount`.
 */
export const SHOWN_TICKETS = 40;

/** One reservation attempt from the levels table. */
export interface ReserveAttempt {
  eventId: number;
  level: number;
  /** Kept across retries of the same attempt, so a retry after a lost answer cannot reserve twice. */
  requestId: string;
  state: 'pending' | 'done' | 'failed';
  reservation: ReservationView | null;
  /** The first SHOWN_TICKETS tickets of a done attempt, with labels (null when they could not be read). */
  tickets: ComboTicket[] | null;
  /** Why a failed attempt failed. */
  message: string | null;
  /** The level is gone (someone else took a ticket of it): the table must refresh. */
  levelGone: boolean;
  /** No answer came: the server may or may not have reserved; retrying is safe. */
  retryable: boolean;
}

const attemptKey = (eventId: number, level: number): string => `${eventId}:${level}`;

function failureOf(
  error: unknown,
  limits: EventLimitsView | null,
): Pick<ReserveAttempt, 'message' | 'levelGone' | 'retryable'> {
  const code = error instanceof SocketRequestError || error instanceof ApiError ? error.code : null;
  if (code === 'LEVEL_UNAVAILABLE' || code === 'NOT_FOUND') {
    return {
      message:
        'This level is no longer available: someone took one of its tickets. The table has been refreshed.',
      levelGone: true,
      retryable: false,
    };
  }
  if (code === 'LIMIT_REACHED') {
    const limit = error instanceof SocketRequestError || error instanceof ApiError ? error.limit : undefined;
    return { message: limitMessage(limit, limits), levelGone: false, retryable: false };
  }
  if (code === 'RATE_LIMITED') return { message: errorMessage(error), levelGone: false, retryable: true };
  if (code === 'UNAVAILABLE') {
    return {
      message: 'No answer from the server. Retrying is safe: it cannot reserve twice.',
      levelGone: false,
      retryable: true,
    };
  }
  return { message: errorMessage(error), levelGone: false, retryable: false };
}

const codeOf = (error: unknown): string | null =>
  error instanceof SocketRequestError || error instanceof ApiError ? error.code : null;

/** The user's reservations, reserving from the table, and (admins) an event's reservations. */
export const useReservationsStore = defineStore('reservations', () => {
  const mine = shallowRef<ReservationView[]>([]);
  const mineLoading = ref(false);
  const mineError = ref<string | null>(null);
  /** The first SHOWN_TICKETS tickets of the user's active reservations, by reservation id (loaded with the list). */
  const tickets = shallowRef<ReadonlyMap<number, ComboTicket[]>>(new Map());
  /** Attempts by `eventId:level`; the latest result of each level stays until dismissed. */
  const attempts = shallowRef<ReadonlyMap<string, ReserveAttempt>>(new Map());
  /** Reservations changed by someone else (an admin released one), newest last. */
  const notices = ref<ReservationNotice[]>([]);

  const eventPage = shallowRef<ReservationPage | null>(null);
  const eventPageLoading = ref(false);
  const eventPageError = ref<string | null>(null);

  /** The open event's limits and what the user already has there (GET /api/events/:id/limits). */
  const limits = shallowRef<EventLimitsView | null>(null);
  /** Holds being confirmed, by reservation id. */
  const confirming = shallowRef<ReadonlySet<number>>(new Set());

  const clock = useClock();
  /** The clock's time (epoch ms), moved every second while a hold counts down. */
  const now = ref(clock.now());
  const groups = computed(() => groupMine(mine.value));
  const allowance = computed(() => (limits.value ? allowanceOf(limits.value) : null));
  let stopTicking: (() => void) | null = null;
  watch(
    () => groups.value.held.length > 0,
    (counting) => {
      if (counting && !stopTicking) {
        now.value = clock.now();
        stopTicking = clock.every(1000, () => (now.value = clock.now()));
      } else if (!counting && stopTicking) {
        stopTicking();
        stopTicking = null;
      }
    },
    { immediate: true },
  );

  /** Whole seconds left on a hold (0 once its deadline passed), null when not on hold. */
  function secondsLeft(reservation: ReservationView): number | null {
    return holdSecondsLeft(reservation, now.value);
  }

  /** The user's holds in one event, the one running out first first. */
  function holdsIn(eventId: number): ReservationView[] {
    return groups.value.held.filter((reservation) => reservation.eventId === eventId);
  }

  /** The limit that stops the user reserving a level of `ticketCount` tickets in `eventId`, if any. */
  function blockedBy(eventId: number, ticketCount: number): LimitName | null {
    if (limits.value?.eventId !== eventId) return null;
    return blockingLimit(ticketCount, allowance.value);
  }

  async function loadLimits(eventId: number): Promise<void> {
    try {
      limits.value = await api<EventLimitsView>('GET', `/events/${eventId}/limits`);
    } catch {
      // Without them every level is offered and the server still enforces the limits.
      if (limits.value?.eventId !== eventId) limits.value = null;
    }
  }

  function refreshLimits(): void {
    if (limits.value) void loadLimits(limits.value.eventId);
  }

  function forgetLimits(): void {
    limits.value = null;
  }

  /** Local changes to `mine` (a list read while one happened may lack it). */
  let mineEdits = 0;
  function setMine(next: ReservationView[]): void {
    mine.value = next;
    mineEdits += 1;
  }

  /** Puts a reservation's new state everywhere it is shown. */
  function replace(changed: ReservationView): void {
    setMine(mine.value.map((reservation) => (reservation.id === changed.id ? changed : reservation)));
    const nextAttempts = new Map(attempts.value);
    for (const [key, attempt] of attempts.value)
      if (attempt.reservation?.id === changed.id) nextAttempts.set(key, { ...attempt, reservation: changed });
    attempts.value = nextAttempts;
    if (eventPage.value) {
      const page = eventPage.value;
      eventPage.value = {
        ...page,
        rows: page.rows.map((row) => (row.id === changed.id ? { ...row, ...changed } : row)),
      };
    }
  }

  onServer('reservation:changed', (notice) => {
    notices.value = [...notices.value, notice];
    useNoticesStore().show(noticeText(notice), noticeKind(notice.reason));
    setMine(applyReservationNotice(mine.value, notice));
    replace(notice.reservation);
    if (notice.reason !== 'expiring') refreshLimits();
  });

  function setAttempt(attempt: ReserveAttempt): void {
    const next = new Map(attempts.value);
    next.set(attemptKey(attempt.eventId, attempt.level), attempt);
    attempts.value = next;
  }

  function attemptFor(eventId: number, level: number): ReserveAttempt | undefined {
    return attempts.value.get(attemptKey(eventId, level));
  }

  async function ticketsOf(reservation: ReservationView): Promise<ComboTicket[] | null> {
    try {
      const detail = await api<ReservationDetail>('GET', `/reservations/${reservation.id}`, {
        query: { limit: SHOWN_TICKETS },
      });
      return detail.tickets;
    } catch {
      return null;
    }
  }

  /**
   * Reserves a level. A second call while one is pending does nothing (double click); a retry
   * of an attempt that got no answer sends the same `requestId`, so the gateway returns the first
   * reservation instead of making another.
   */
  async function reserve(eventId: number, level: number): Promise<ReserveAttempt> {
    const previous = attemptFor(eventId, level);
    if (previous?.state === 'pending') return previous;
    const requestId =
      previous?.state === 'failed' && previous.retryable ? previous.requestId : newRequestId();
    const pending: ReserveAttempt = {
      eventId,
      level,
      requestId,
      state: 'pending',
      reservation: null,
      tickets: null,
      message: null,
      levelGone: false,
      retryable: false,
    };
    setAttempt(pending);
    try {
      const reservation = await reserveLevel({ eventId, level, requestId });
      const done: ReserveAttempt = {
        ...pending,
        state: 'done',
        reservation,
        tickets: await ticketsOf(reservation),
      };
      setAttempt(done);
      setMine([reservation, ...mine.value.filter((known) => known.id !== reservation.id)]);
      refreshLimits();
      return done;
    } catch (error) {
      const failed: ReserveAttempt = { ...pending, state: 'failed', ...failureOf(error, limits.value) };
      setAttempt(failed);
      if (codeOf(error) === 'LIMIT_REACHED') refreshLimits();
      return failed;
    }
  }

  function dismissAttempt(eventId: number, level: number): void {
    const next = new Map(attempts.value);
    next.delete(attemptKey(eventId, level));
    attempts.value = next;
  }

  /**
   * Reads the user's reservations; with `withTickets`, also the labels of the active ones' first
   * tickets (one request each: the event page, which shows only holds, goes without).
   */
  async function loadMine(withTickets = true): Promise<void> {
    mineLoading.value = true;
    mineError.value = null;
    try {
      const edits = mineEdits;
      const list = await api<ReservationView[]>('GET', '/reservations/mine');
      // A hold made (or a notice applied) meanwhile may be missing from this answer: read again.
      if (mineEdits !== edits) return await loadMine(withTickets);
      mine.value = list;
      if (!withTickets) return;
      const loaded = await Promise.all(
        list.filter((r) => isActive(r)).map(async (r) => [r.id, await ticketsOf(r)] as const),
      );
      const next = new Map<number, ComboTicket[]>();
      for (const [id, list] of loaded) if (list) next.set(id, list);
      tickets.value = next;
    } catch (error) {
      mineError.value = errorMessage(error);
    } finally {
      mineLoading.value = false;
    }
  }

  /** Cancels one of the user's reservations (cancelled), or (admins) releases anyone's (released). */
  async function cancel(reservationId: number): Promise<ReservationView> {
    const cancelled = await api<ReservationView>('DELETE', `/reservations/${reservationId}`);
    replace(cancelled);
    refreshLimits();
    return cancelled;
  }

  /**
   * Confirms a hold (over the socket when it is up, else REST). A hold that ran out meanwhile
   * answers HOLD_EXPIRED: it is shown expired at once, before the server's notice arrives.
   */
  async function confirm(reservationId: number): Promise<ReservationView> {
    if (confirming.value.has(reservationId)) throw new Error('Already confirming this hold.');
    confirming.value = new Set([...confirming.value, reservationId]);
    try {
      const confirmed = isSocketConnected()
        ? await confirmReservation({ reservationId })
        : await api<ReservationView>('POST', `/reservations/${reservationId}/confirm`);
      replace(confirmed);
      refreshLimits();
      return confirmed;
    } catch (error) {
      const known = mine.value.find((reservation) => reservation.id === reservationId);
      if (codeOf(error) === 'HOLD_EXPIRED' && known?.status === 'held') {
        replace({ ...known, status: 'expired', settledAt: new Date(clock.now()).toISOString() });
        refreshLimits();
      }
      throw error;
    } finally {
      const next = new Set(confirming.value);
      next.delete(reservationId);
      confirming.value = next;
    }
  }

  /** A reservation's audit trail (the holder or an admin). */
  function history(reservationId: number): Promise<AuditEntry[]> {
    return api<AuditEntry[]>('GET', `/reservations/${reservationId}/history`);
  }

  function dismissNotice(index: number): void {
    notices.value = notices.value.filter((_, at) => at !== index);
  }

  async function loadEventPage(
    eventId: number,
    offset: number,
    limit: number,
    status?: ReservationStatus,
  ): Promise<void> {
    eventPageLoading.value = true;
    eventPageError.value = null;
    try {
      eventPage.value = await api<ReservationPage>('GET', `/events/${eventId}/reservations`, {
        query: { offset, limit, status },
      });
    } catch (error) {
      eventPageError.value = errorMessage(error);
    } finally {
      eventPageLoading.value = false;
    }
  }

  return {
    mine,
    mineLoading,
    mineError,
    tickets,
    attempts,
    notices,
    eventPage,
    eventPageLoading,
    eventPageError,
    limits,
    confirming,
    now,
    groups,
    allowance,
    secondsLeft,
    holdsIn,
    blockedBy,
    loadLimits,
    forgetLimits,
    attemptFor,
    reserve,
    dismissAttempt,
    loadMine,
    cancel,
    confirm,
    history,
    dismissNotice,
    loadEventPage,
  };
});
