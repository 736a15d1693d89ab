import type { ReservationStatus } from '@tickets/protocol';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

const jsonIds = {
  to: (ids: number[]): string => JSON.stringify(ids),
  from: (raw: string | null): number[] => (raw ? (JSON.parse(raw) as number[]) : []),
};

@Entity('reservations')
export class ReservationEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'event_id', type: 'int' })
  eventId: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ type: 'int' })
  level: number;

  @Column({ type: 'varchar', length: 16 })
  status: ReservationStatus;

  /** Client idempotency key, unique per user. */
  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId: string;

  /** The reserved combination, kept after cancellation for history. */
  @Column({ name: 'ticket_ids', type: 'text', transformer: jsonIds })
  ticketIds: number[];

  /** How many tickets (the length of ticketIds), for limits that sum them. */
  @Column({ name: 'ticket_count', type: 'int', default: 0 })
  ticketCount: number;

  /** A hold's deadline; null once confirmed and for reservations made before holds existed. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt: Date | null;

  /** When it left `held`. */
  @Column({ name: 'settled_at', type: 'datetime', precision: 3, nullable: true })
  settledAt: Date | null;

  /** Whether the holder was warned that the hold runs out soon (once, whichever replica does it). */
  @Column({ name: 'expiry_warned', type: 'int', default: 0 })
  expiryWarned: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
