import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('events')
export class EventEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Bumped by every committed inventory change, in the same transaction as its outbox row. */
  @Column({ type: 'int', default: 0 })
  version: number;

  @Column({ name: 'total_tickets', type: 'int', default: 0 })
  totalTickets: number;

  @Column({ name: 'available_tickets', type: 'int', default: 0 })
  availableTickets: number;

  /** The sum of every ticket's value (available or not); capped by TICKET_LIMITS.maxEventValueTotal. */
  @Column({ name: 'total_value', type: 'int', default: 0 })
  totalValue: number;

  /** How long holds last here, in seconds; null: HOLD_TTL. */
  @Column({ name: 'hold_ttl_seconds', type: 'int', nullable: true })
  holdTtlSeconds: number | null;

  @Column({ name: 'holds_per_user', type: 'int', default: 1 })
  holdsPerUser: number;

  @Column({ name: 'tickets_per_user', type: 'int', nullable: true })
  ticketsPerUser: number | null;

  @Column({ name: 'tickets_per_reservation', type: 'int', nullable: true })
  ticketsPerReservation: number | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
