import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per ticket held by an active reservation. ticket_id is the primary key, so the database
 * itself refuses to put a ticket in two active reservations; rows are deleted when a reservation is cancelled.
 */
@Entity('reservation_tickets')
export class ReservationTicketEntity {
  @PrimaryColumn({ name: 'ticket_id', type: 'int' })
  ticketId: number;

  @Column({ name: 'reservation_id', type: 'int' })
  reservationId: number;
}
