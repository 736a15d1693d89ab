import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { LiveUpdates } from '../common/live-updates';
import { Timers, type ScheduledTask } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { InventoryChanges } from '../inventory/inventory-changes';
import { ReservationStore } from './reservation.store';
import { toReservationView } from './reservation-views';

/** Events one sweep looks at, at most (the rest go with the next one). */
const EVENTS_PER_SWEEP = 50;
/** Holds one sweep warns about, at most. */
const WARNINGS_PER_SWEEP = 500;

/**
 * Expires holds that ran out, on every replica, every HOLD_SWEEP_MS: no timer in one process is the
 * source of truth, the database is (ReservationStore.expireDueHolds locks and re-reads, so a hold
 * expires exactly once whichever replicas sweep, and a replica that dies mid-sweep leaves its
 * transaction rolled back for the next sweep). Each expiry is one inventory change per event
 * (cause `expired`): every socket sees the tickets come back, in version order, like any change.
 * Holders are told on their own sockets: `expiring` once, HOLD_WARNING_SECONDS before the end,
 * and `expired`.
 */
/** What the sweeper needs of the store (a unit test's fake implements just this). */
export type DueHolds = Pick<ReservationStore, 'eventsWithDueHolds' | 'expireDueHolds' | 'claimWarnings'>;

@Injectable()
export class HoldSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HoldSweeper');
  private timer: ScheduledTask | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    @Inject(ReservationStore) private readonly store: DueHolds,
    private readonly changes: InventoryChanges,
    private readonly live: LiveUpdates,
    private readonly timers: Timers,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = this.timers.every(this.config.holdSweepMs, () => void this.sweep());
  }

  async onApplicationShutdown(): Promise<void> {
    this.timer?.cancel();
    await this.sweeping;
  }

  /** One sweep; a sweep still running when the next is due is not doubled. Resolves when done. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    try {
      await this.expireDue();
      if (this.config.holdWarningSeconds > 0) await this.warnSoon();
    } catch (error) {
      // The database is unreachable, say: the next sweep tries again.
      this.logger.warn(`sweeping holds failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async expireDue(): Promise<void> {
    const now = this.clock.now();
    for (const eventId of await this.store.eventsWithDueHolds(now, EVENTS_PER_SWEEP)) {
      const expired = await this.store.expireDueHolds(eventId, now);
      if (!expired) continue;
      await this.changes.committed(expired.change);
      for (const reservation of expired.reservations) {
        this.live.reservationChanged(reservation.userId, {
          reason: 'expired',
          reservation: toReservationView(reservation),
        });
      }
    }
  }

  private async warnSoon(): Promise<void> {
    const until = new Date(this.clock.nowMs() + this.config.holdWarningSeconds * 1000);
    for (const reservation of await this.store.claimWarnings(until, WARNINGS_PER_SWEEP)) {
      this.live.reservationChanged(reservation.userId, {
        reason: 'expiring',
        reservation: toReservationView(reservation),
      });
    }
  }
}
