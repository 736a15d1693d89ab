import type { InventoryCause } from '@tickets/protocol';
import { Column, Entity, PrimaryColumn } from 'typeorm';

const epochMs = {
  to: (value: number): number => value,
  from: (raw: string | number): number => Number(raw),
};

/**
 * The outbox: one row per committed inventory change, written in the same transaction as the change
 * and the events.version bump. Replicas replay it to close gaps in the feed.
 */
@Entity('inventory_changes')
export class InventoryChangeEntity {
  @PrimaryColumn({ name: 'event_id', type: 'int' })
  eventId: number;

  @PrimaryColumn({ type: 'int' })
  version: number;

  @Column({ type: 'varchar', length: 20 })
  cause: InventoryCause;

  /** JSON [[ticketId, value], ...] of the tickets the change touched. */
  @Column({ type: 'text' })
  items: string;

  @Column({ name: 'total_tickets', type: 'int' })
  totalTickets: number;

  @Column({ name: 'available_tickets', type: 'int' })
  availableTickets: number;

  @Column({ name: 'committed_at', type: 'bigint', transformer: epochMs })
  committedAt: number;
}
