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

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
