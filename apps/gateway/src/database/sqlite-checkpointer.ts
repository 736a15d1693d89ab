import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Timers, type ScheduledTask } from '../common/timers';
import { WorkerThread, workerScriptAt } from '../common/worker-thread';
import { AppConfig } from '../config/app-config';
import type { CheckpointReply, CheckpointRequest } from './sqlite-checkpoint-worker';

/** How often the write-ahead log is copied into the database file. */
const CHECKPOINT_EVERY_MS = 1000;

/**
 * Checkpoints the embedded SQLite database from a worker thread (the gateway's connection has
 * automatic checkpoints turned off, see dataSourceOptions): a checkpoint after a large
 * transaction takes tens of milliseconds, which the event loop must not spend. Nothing on MySQL.
 */
@Injectable()
export class SqliteCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SqliteCheckpointer');
  private thread: WorkerThread<CheckpointRequest, CheckpointReply> | null = null;
  private ticker: ScheduledTask | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly timers: Timers,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.database.kind !== 'sqlite') return;
    this.thread = new WorkerThread(workerScriptAt(__dirname, 'sqlite-checkpoint-worker'), {
      workerData: { file: this.config.database.file },
    });
    this.ticker = this.timers.every(CHECKPOINT_EVERY_MS, () => {
      if (!this.running) void this.checkpoint('PASSIVE');
    });
  }

  /** Copies the log into the database, after any checkpoint under way; null on MySQL or when it failed. */
  async checkpoint(mode: CheckpointRequest['mode']): Promise<CheckpointReply | null> {
    while (this.running) await this.running.catch(() => undefined);
    if (!this.thread) return null;
    const request = this.thread.request({ mode });
    this.running = request;
    try {
      return await request;
    } catch (error) {
      this.logger.warn(`checkpoint failed: ${String(error)}`);
      return null;
    } finally {
      this.running = null;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.ticker?.cancel();
    if (!this.thread) return;
    await this.checkpoint('TRUNCATE');
    await this.thread.terminate();
  }
}
