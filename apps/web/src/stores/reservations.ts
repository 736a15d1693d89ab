import type {
  ComboTicket,
  ReservationDetail,
  ReservationNotice,
  ReservationPage,
  ReservationStatus,
  ReservationView,
} from '@tickets/protocol';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { api, ApiError, errorMessage } from '../api/http';
import { newRequestId } from '../lib/requestId';
import { onServer, reserveLevel, SocketRequestError } from '../realtime/socket';
import { useNoticesStore } from './notices';
import { formatNumber } from '../lib/format';

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

export function noticeText(notice: ReservationNotice): string {
  const { id, level } = notice.reservation;
  return notice.reason === 'released-by-admin'
    ? `An admin released your reservation ${id} (level ${formatNumber(level)}).`
    : `Your reservation ${id} (level ${formatNumber(level)}) ended: its event was deleted.`;
}

const attemptKey = (eventId: number, level: number): string => `${eventId}:${level}`;

function failureOf(error: unknown): Pick<ReserveAttempt, 'message' | 'levelGone' | 'retryable'> {
  const code = error instanceof SocketRequestError || error instanceof ApiError ? error.code : null;
  if (code === 'LEVEL_UNAVAILABLE' || code === 'NOT_FOUND') {
    return {
      message:
        'This level is no longer available: someone took one of its tickets. The table has been refreshed.',
      levelGone: true,
      retryable: false,
    };
  }
  if (code === 'RATE_LIMITED')
    return {
      message: 'Too many reservations at once. Wait a moment and retry.',
      levelGone: false,
      retryable: true,
    };
  if (code === 'UNAVAILABLE') {
    return {
      message: 'No answer from the server. Retrying is safe: it cannot reserve twice.',
      levelGone: false,
      retryable: true,
    };
  }
  return { message: errorMessage(error), levelGone: false, retryable: false };
}

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

  onServer('reservation:changed', (notice) => {
    notices.value = [...notices.value, notice];
    useNoticesStore().show(noticeText(notice), 'warning');
    mine.value = mine.value.map((reservation) =>
      reservation.id === notice.reservation.id ? notice.reservation : reservation,
    );
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
      mine.value = [reservation, ...mine.value.filter((known) => known.id !== reservation.id)];
      return done;
    } catch (error) {
      const failed: ReserveAttempt = { ...pending, state: 'failed', ...failureOf(error) };
      setAttempt(failed);
      return failed;
    }
  }

  function dismissAttempt(eventId: number, level: number): void {
    const next = new Map(attempts.value);
    next.delete(attemptKey(eventId, level));
    attempts.value = next;
  }

  async function loadMine(): Promise<void> {
    mineLoading.value = true;
    mineError.value = null;
    try {
      const list = await api<ReservationView[]>('GET', '/reservations/mine');
      mine.value = list;
      const loaded = await Promise.all(
        list.filter((r) => r.status === 'active').map(async (r) => [r.id, await ticketsOf(r)] as const),
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

  /** Cancels one of the user's reservations, or (admins) releases anyone's. */
  async function cancel(reservationId: number): Promise<ReservationView> {
    const cancelled = await api<ReservationView>('DELETE', `/reservations/${reservationId}`);
    mine.value = mine.value.map((reservation) => (reservation.id === cancelled.id ? cancelled : reservation));
    if (eventPage.value) {
      const page = eventPage.value;
      eventPage.value = {
        ...page,
        rows: page.rows.map((row) => (row.id === cancelled.id ? { ...row, ...cancelled } : row)),
      };
    }
    return cancelled;
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
    attemptFor,
    reserve,
    dismissAttempt,
    loadMine,
    cancel,
    dismissNotice,
    loadEventPage,
  };
});
