import type { ReservationView } from '@tickets/protocol';
import type { ReservationEntity } from './reservation.entity';

/** A reservation as the protocol shows it. */
export function toReservationView(reservation: ReservationEntity): ReservationView {
  return {
    id: reservation.id,
    eventId: reservation.eventId,
    level: reservation.level,
    ticketIds: reservation.ticketIds,
    ticketCount: reservation.ticketIds.length,
    userId: reservation.userId,
    status: reservation.status,
    createdAt: reservation.createdAt.toISOString(),
  };
}
