/**
 * Pure rules of a reservation's life as the app shows it: status labels, hold countdowns, live
 * notices applied to the user's list, and what an event's limits leave the user.
 */
import {
  ACTIVE_RESERVATION_STATUSES,
  type EventLimitsView,
  type LimitName,
  type ReservationNotice,
  type ReservationNoticeReason,
  type ReservationStatus,
  type ReservationView,
} from '@tickets/protocol';
import { formatNumber } from '../lib/format';

/** Every status, in the order a filter lists them. */
export const RESERVATION_STATUSES: readonly ReservationStatus[] = [
  'held',
  'confirmed',
  'cancelled',
  'expired',
  'released',
];

/** One label per status, everywhere a status is shown. */
export const RESERVATION_STATUS_LABELS: Readonly<Record<ReservationStatus, string>> = {
  held: 'On hold',
  confirmed: 'Confirmed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  released: 'Released by an admin',
};

export function isActive(reservation: Pick<ReservationView, 'status'>): boolean {
  return ACTIVE_RESERVATION_STATUSES.includes(reservation.status);
}

/** Whole seconds until a hold runs out (0 once its deadline passed); null for anything not on hold. */
export function holdSecondsLeft(
  reservation: Pick<ReservationView, 'status' | 'expiresAt'>,
  nowMs: number,
): number | null {
  if (reservation.status !== 'held' || reservation.expiresAt === null) return null;
  const left = Date.parse(reservation.expiresAt) - nowMs;
  return Number.isFinite(left) ? Math.max(0, Math.ceil(left / 1000)) : null;
}

/** `m:ss`, or `h:mm:ss` past an hour. */
export function formatCountdown(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** A hold time in words for admins ("10 min", "90 s", "1 h 30 min"). */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return [hours ? `${hours} h` : '', minutes ? `${minutes} min` : '', rest ? `${rest} s` : '']
    .filter(Boolean)
    .join(' ');
}

export interface MineGroups {
  /** On hold, the one running out first first. */
  held: ReservationView[];
  confirmed: ReservationView[];
  /** Cancelled, expired or released, newest first. */
  past: ReservationView[];
}

export function groupMine(mine: readonly ReservationView[]): MineGroups {
  const deadline = (reservation: ReservationView): number =>
    reservation.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(reservation.expiresAt);
  const settled = (reservation: ReservationView): number =>
    Date.parse(reservation.settledAt ?? reservation.createdAt) || 0;
  return {
    held: mine.filter((r) => r.status === 'held').sort((a, b) => deadline(a) - deadline(b)),
    confirmed: mine.filter((r) => r.status === 'confirmed'),
    past: mine.filter((r) => !isActive(r)).sort((a, b) => settled(b) - settled(a)),
  };
}

/**
 * The user's list after a notice: the reservation replaced by the notice's state, or added when
 * the list did not have it yet (a hold made in another tab).
 */
export function applyReservationNotice(
  mine: readonly ReservationView[],
  notice: ReservationNotice,
): ReservationView[] {
  const changed = notice.reservation;
  if (!mine.some((reservation) => reservation.id === changed.id)) return [changed, ...mine];
  return mine.map((reservation) => (reservation.id === changed.id ? changed : reservation));
}

const reservationName = (reservation: ReservationView): string =>
  `reservation ${reservation.id} (level ${formatNumber(reservation.level)})`;

/** What a notice tells the user, in words. */
export function noticeText(notice: ReservationNotice): string {
  const name = reservationName(notice.reservation);
  switch (notice.reason) {
    case 'released-by-admin':
      return `An admin released your ${name}.`;
    case 'event-deleted':
      return `Your ${name} ended: its event was deleted.`;
    case 'expiring':
      return `Your hold on ${name} runs out in less than a minute: confirm it to keep the tickets.`;
    case 'expired':
      return `Your hold on ${name} ran out before it was confirmed: its tickets are back on sale.`;
  }
}

export function noticeKind(reason: ReservationNoticeReason): 'warning' | 'error' {
  return reason === 'expiring' || reason === 'released-by-admin' ? 'warning' : 'error';
}

/** What LIMIT_REACHED means, for a limit's name (the error's `limit`), in words. */
export function limitMessage(limit: LimitName | undefined, limits?: EventLimitsView | null): string {
  const of = (value: number | null | undefined): string =>
    value === null || value === undefined ? '' : ` (${formatNumber(value)})`;
  switch (limit) {
    case 'holdsPerUser':
      return `You already have as many holds in this event as it allows${of(limits?.limits.holdsPerUser)}: confirm or cancel one first.`;
    case 'ticketsPerUser':
      return `This would take you past the tickets one person may have in this event${of(limits?.limits.ticketsPerUser)}.`;
    case 'ticketsPerReservation':
      return `This level has more tickets than one reservation may take in this event${of(limits?.limits.ticketsPerReservation)}.`;
    case undefined:
      return 'This would pass one of the event’s limits.';
  }
}

export interface Allowance {
  /** Most tickets one more reservation may take; null: no ticket limit applies. */
  maxTickets: number | null;
  /** Which limit sets `maxTickets`. */
  maxTicketsBy: 'ticketsPerUser' | 'ticketsPerReservation' | null;
  /** The user may not make another hold at all. */
  holdsFull: boolean;
}

/** What the event's limits leave the user for one more reservation. */
export function allowanceOf(view: EventLimitsView): Allowance {
  const { holdsPerUser, ticketsPerUser, ticketsPerReservation } = view.limits;
  const userLeft = ticketsPerUser === null ? null : Math.max(0, ticketsPerUser - view.tickets);
  let maxTickets: number | null = null;
  let maxTicketsBy: Allowance['maxTicketsBy'] = null;
  if (userLeft !== null) {
    maxTickets = userLeft;
    maxTicketsBy = 'ticketsPerUser';
  }
  if (ticketsPerReservation !== null && (maxTickets === null || ticketsPerReservation < maxTickets)) {
    maxTickets = ticketsPerReservation;
    maxTicketsBy = 'ticketsPerReservation';
  }
  return { maxTickets, maxTicketsBy, holdsFull: view.holds >= holdsPerUser };
}

/** The limit that stops the user reserving a level of `ticketCount` tickets, or null when none does. */
export function blockingLimit(ticketCount: number, allowance: Allowance | null): LimitName | null {
  if (!allowance) return null;
  if (allowance.holdsFull) return 'holdsPerUser';
  if (allowance.maxTickets !== null && ticketCount > allowance.maxTickets) return allowance.maxTicketsBy;
  return null;
}
