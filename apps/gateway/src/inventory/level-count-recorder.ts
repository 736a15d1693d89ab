import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Timers, type ScheduledTask } from '../common/timers';
import { Database } from '../database/database';

/** Counts wait this long to be written, so a burst of changes to one event costs one write. */
const FLUSH_DELAY_MS = 500;

/**
 * Writes the level counts the indexes compute into event_level_counts, coalesced per event (the
 * newest version wins) and never behind a newer count already written by another replica.
 */
@Injectable()
export class LevelCountRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger('LevelCountRecorder');
  private readonly pending = new Map<number, { version: number; levelCount: number }>();
  private timer: ScheduledTask | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly timers: Timers,
  ) {}

  record(eventId: number, version: number, levelCount: number): void {
    const waiting = this.pending.get(eventId);
    if (waiting && waiting.version >= version) return;
    this.pending.set(eventId, { version, levelCount });
    this.schedule();
  }

  /** Writes what waits now (and waits for a write under way). */
  async flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    this.flushing = this.write(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = this.timers.after(FLUSH_DELAY_MS, () => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.pending.size > 0) this.schedule();
      });
    });
  }

  private async write(batch: [number, { version: number; levelCount: number }][]): Promise<void> {
    try {
      await this.database.transaction(async (manager) => {
        for (const [eventId, { version, levelCount }] of batch) {
          await manager.query(
            'UPDATE event_level_counts SET version = ?, level_count = ? WHERE event_id = ? AND version < ?',
            [version, levelCount, eventId, version],
          );
        }
      });
    } catch (error) {
      // A count is a convenience for lists; the next change writes a newer one.
      this.logger.warn(`writing ${batch.length} level count(s) failed: ${String(error)}`);
    }
  }
}
