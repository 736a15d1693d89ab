import type { TicketStatus } from '@tickets/protocol';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tickets')
export class TicketEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'event_id', type: 'int' })
  eventId: number;

  @Column({ type: 'varchar', length: 100 })
  label: string;

  @Column({ type: 'int' })
  value: number;

  @Column({ type: 'varchar', length: 16 })
  status: TicketStatus;

  @Column({ name: 'reservation_id', type: 'int', nullable: true })
  reservationId: number | null;
}
