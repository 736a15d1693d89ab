import { LEVEL_ROW_MAX_TICKET_IDS, type ReservationView } from '@tickets/protocol';
import type { ReservationEntity } from './reservation.entity';

/** A reservation as the protocol shows it: its first LEVEL_ROW_MAX_TICKET_IDS tickets (GET /api/reservations/:id pages the rest). */
export function toReservationView(reservation: ReservationEntity): ReservationView {
  return {
    id: reservation.id,
    eventId: reservation.eventId,
    level: reservation.level,
    ticketIds: reservation.ticketIds.slice(0, LEVEL_ROW_MAX_TICKET_IDS),
    ticketCount: reservation.ticketIds.length,
    userId: reservation.userId,
    status: reservation.status,
    expiresAt: reservation.expiresAt?.toISOString() ?? null,
    createdAt: reservation.createdAt.toISOString(),
    settledAt: reservation.settledAt?.toISOString() ?? null,
  };
}
