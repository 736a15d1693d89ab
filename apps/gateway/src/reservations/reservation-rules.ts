import { Permission, type EventLimits, type LimitName } from '@tickets/protocol';

/** How many witnesses a reservation tries before answering LEVEL_UNAVAILABLE. */
export const MAX_RESERVE_ATTEMPTS = 8;

/** The owner may see and cancel their reservation; so may anyone allowed to manage reservations. */
export function mayCancel(
  reservation: { userId: number },
  userId: number,
  permissions: ReadonlySet<string>,
): boolean {
  return reservation.userId === userId || permissions.has(Permission.RESERVATIONS_MANAGE);
}

/** The conditional update flipped every ticket of the combination, or the witness is stale. */
export function isWholeCombination(affectedRows: number | undefined, comboSize: number): boolean {
  return affectedRows === comboSize && comboSize > 0;
}

/** What a user holds in an event: holds not yet confirmed, and tickets in held and confirmed reservations. */
export interface Usage {
  holds: number;
  tickets: number;
}

/**
 * The limit a new reservation of `ticketCount` tickets would pass, given what the user already has
 * in the event; null when it passes none. Checked in the order a user can act on: the reservation's
 * own size, then holds (confirm or cancel one), then the user's tickets.
 */
export function limitPassed(limits: EventLimits, usage: Usage, ticketCount: number): LimitName | null {
  if (limits.ticketsPerReservation !== null && ticketCount > limits.ticketsPerReservation)
    return 'ticketsPerReservation';
  if (usage.holds + 1 > limits.holdsPerUser) return 'holdsPerUser';
  if (limits.ticketsPerUser !== null && usage.tickets + ticketCount > limits.ticketsPerUser)
    return 'ticketsPerUser';
  return null;
}

/** What a held or confirmed reservation becomes when its holder cancels it, or an admin releases it. */
export function cancelledStatus(byHolder: boolean): 'cancelled' | 'released' {
  return byHolder ? 'cancelled' : 'released';
}

/** A hold's deadline: created at `nowMs`, lasting the event's own hold time or the default. */
export function holdDeadline(nowMs: number, eventTtlSeconds: number | null, defaultTtlSeconds: number): Date {
  return new Date(nowMs + (eventTtlSeconds ?? defaultTtlSeconds) * 1000);
}
