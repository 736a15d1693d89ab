import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Timers } from '../common/timers';
import { placeholders, READ_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { InventoryChanges } from '../inventory/inventory-changes';

/** Labels kept at most (about 100 bytes each): the tickets of the pages people are looking at. */
const CACHED_LABELS = 200_000;

/**
 * Ticket labels for level rows, read from the database and kept: a label never changes, and every
 * page of the levels table shows up to 20 tickets per row. Least recently used labels go first; a
 * deleted ticket's label goes at once (SQLite may give its id to the next ticket).
 */
@Injectable()
export class TicketLabels implements OnApplicationBootstrap {
  /** Insertion order is recency: a hit moves the label to the end. */
  private readonly cache = new Map<number, string>();

  constructor(
    private readonly database: Database,
    private readonly changes: InventoryChanges,
    private readonly timers: Timers,
  ) {}

  onApplicationBootstrap(): void {
    this.changes.onChange((change) => {
      if (change.cause === 'ticket-deleted') for (const id of change.ticketIds) this.cache.delete(id);
      if (change.cause === 'event-deleted') this.cache.clear();
    });
  }

  /** The labels of these tickets; a ticket gone from the database gets an empty one. */
  async labelsOf(ticketIds: readonly number[]): Promise<Map<number, string>> {
    const found = new Map<number, string>();
    const missing: number[] = [];
    for (const id of ticketIds) {
      const label = this.cache.get(id);
      if (label === undefined) {
        missing.push(id);
        continue;
      }
      this.cache.delete(id);
      this.cache.set(id, label);
      found.set(id, label);
    }
    if (missing.length > 0) {
      const slices = this.timers.slices();
      await this.database.read(async (manager) => {
        for (let i = 0; i < missing.length; i += READ_CHUNK_ROWS) {
          const chunk = missing.slice(i, i + READ_CHUNK_ROWS);
          const rows = (await manager.query(
            `SELECT id, label FROM tickets WHERE id IN (${placeholders(chunk.length)})`,
            chunk,
          )) as {
            id: number | string;
            label: string;
          }[];
          for (const row of rows) {
            found.set(Number(row.id), row.label);
            this.remember(Number(row.id), row.label);
          }
          await slices.breathe();
        }
      });
    }
    return found;
  }

  private remember(id: number, label: string): void {
    this.cache.set(id, label);
    if (this.cache.size > CACHED_LABELS) this.cache.delete(this.cache.keys().next().value as number);
  }
}
