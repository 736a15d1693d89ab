import { Permission } from '@tickets/protocol';

/** How many witnesses a reservation tries before answering LEVEL_UNAVAILABLE. */
export const MAX_RESERVE_ATTEMPTS = 8;

/** The owner may see and cancel their reservation; so may anyone allowed to manage reservations. */
export function mayCancel(reservation: { userId: number }, userId: number, permissions: ReadonlySet<string>): boolean {
  return reservation.userId === userId || permissions.has(Permission.RESERVATIONS_MANAGE);
}

/** The conditional update flipped every ticket of the combination, or the witness is stale. */
export function isWholeCombination(affectedRows: number | undefined, comboSize: number): boolean {
  return affectedRows === comboSize && comboSize > 0;
}
