import type { AuditAction } from '@tickets/protocol';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

const json = {
  to: (value: Record<string, unknown>): string => JSON.stringify(value),
  from: (raw: string | null): Record<string, unknown> =>
    raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
};

/** One line of the audit log (append-only: the application has no update or delete path). */
@Entity('audit_log')
export class AuditEntryEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  /** The user who acted; null for the system. */
  @Column({ name: 'actor_id', type: 'int', nullable: true })
  actorId: number | null;

  @Column({ type: 'varchar', length: 32 })
  action: AuditAction;

  @Column({ name: 'event_id', type: 'int', nullable: true })
  eventId: number | null;

  @Column({ name: 'reservation_id', type: 'int', nullable: true })
  reservationId: number | null;

  @Column({ name: 'subject_user_id', type: 'int', nullable: true })
  subjectUserId: number | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  @Column({ type: 'text', transformer: json })
  details: Record<string, unknown>;
}
