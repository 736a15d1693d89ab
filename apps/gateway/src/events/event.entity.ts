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

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
