import type { ReservationNotice } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { LiveUpdates, type LiveUpdatesSink } from '../common/live-updates';
import { Timers, type ScheduledTask } from '../common/timers';
import { loadConfig } from '../config/app-config';
import type { CommittedChange } from '../inventory/committed-change';
import { InventoryChanges } from '../inventory/inventory-changes';
import { LocalInventoryFeed } from '../inventory/local-inventory-feed';
import { HoldSweeper, type DueHolds } from './hold-sweeper';
import { ReservationEntity } from './reservation.entity';
import type { Expired } from './reservation.store';

/** A clock the test moves by hand. */
class ManualClock extends Clock {
  constructor(private ms: number) {
    super();
  }
  override now(): Date {
    return new Date(this.ms);
  }
  override nowMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Timers whose periodic task runs when the test says so. */
class ManualTimers extends Timers {
  private readonly tasks: (() => void)[] = [];
  override every(_ms: number, fn: () => void): ScheduledTask {
    this.tasks.push(fn);
    return { cancel: () => this.tasks.splice(this.tasks.indexOf(fn), 1) };
  }
  fire(): void {
    for (const task of this.tasks) task();
  }
}

/**
 * Holds in memory with the store's contract: a due hold expires once (one change per event), a
 * warning is claimed once. `failNext` makes the next expiry throw, as an unreachable database would.
 */
class InMemoryHolds implements DueHolds {
  readonly holds: ReservationEntity[] = [];
  version = 0;
  failNext = false;
  expiryCalls = 0;

  hold(id: number, eventId: number, userId: number, expiresAtMs: number): void {
    this.holds.push(
      Object.assign(new ReservationEntity(), {
        id,
        eventId,
        userId,
        level: 1,
        status: 'held' as const,
        requestId: `r${id}`,
        ticketIds: [id * 10],
        ticketCount: 1,
        expiresAt: new Date(expiresAtMs),
        settledAt: null,
        expiryWarned: 0,
        createdAt: new Date(0),
      }),
    );
  }

  private due(now: Date): ReservationEntity[] {
    return this.holds.filter((hold) => hold.status === 'held' && hold.expiresAt!.getTime() <= now.getTime());
  }

  async eventsWithDueHolds(now: Date, limit: number): Promise<number[]> {
    return [...new Set(this.due(now).map((hold) => hold.eventId))].slice(0, limit);
  }

  async expireDueHolds(eventId: number, now: Date): Promise<Expired | null> {
    this.expiryCalls += 1;
    // The database round trip: other sweeps could start meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection lost');
    }
    const due = this.due(now).filter((hold) => hold.eventId === eventId);
    if (due.length === 0) return null;
    for (const hold of due) Object.assign(hold, { status: 'expired', settledAt: now });
    const change: CommittedChange = {
      eventId,
      version: ++this.version,
      cause: 'expired',
      ticketIds: due.flatMap((hold) => hold.ticketIds),
      values: null,
      totalTickets: 0,
      availableTickets: 0,
      committedAt: now.getTime(),
    };
    return { change, reservations: due };
  }

  async claimWarnings(until: Date, limit: number): Promise<ReservationEntity[]> {
    const claimed = this.holds
      .filter(
        (hold) =>
          hold.status === 'held' && hold.expiryWarned === 0 && hold.expiresAt!.getTime() <= until.getTime(),
      )
      .slice(0, limit);
    for (const hold of claimed) hold.expiryWarned = 1;
    return claimed;
  }
}

class RecordingSink implements LiveUpdatesSink {
  readonly notices: { userId: number; reason: ReservationNotice['reason']; id: number }[] = [];
  reservationChanged(userId: number, notice: ReservationNotice): void {
    this.notices.push({ userId, reason: notice.reason, id: notice.reservation.id });
  }
  eventChanged(): void {}
}

function setUp() {
  const clock = new ManualClock(1_000_000);
  const timers = new ManualTimers();
  const holds = new InMemoryHolds();
  const changes = new InventoryChanges(new LocalInventoryFeed());
  changes.onModuleInit();
  const committed: CommittedChange[] = [];
  changes.onChange(async (change) => {
    committed.push(change);
  });
  const live = new LiveUpdates();
  const sink = new RecordingSink();
  live.attach(sink);
  const config = loadConfig({ JWT_SECRET: 'x'.repeat(32), HOLD_WARNING_SECONDS: '60' }, '/tmp');
  const sweeper = new HoldSweeper(holds, changes, live, timers, clock, config);
  return { clock, timers, holds, committed, sink, sweeper };
}

describe('HoldSweeper', () => {
  it('warns a holder once a minute before the end, then expires the hold once, with one change per event', async () => {
    const { clock, holds, committed, sink, sweeper } = setUp();
    const start = clock.nowMs();
    holds.hold(1, 7, 100, start + 600_000);
    holds.hold(2, 7, 101, start + 600_000);
    holds.hold(3, 8, 100, start + 900_000);

    await sweeper.sweep();
    expect(committed).toEqual([]);
    expect(sink.notices).toEqual([]);

    clock.advance(545_000); // 55 s before the first two end
    await sweeper.sweep();
    await sweeper.sweep();
    expect(sink.notices).toEqual([
      { userId: 100, reason: 'expiring', id: 1 },
      { userId: 101, reason: 'expiring', id: 2 },
    ]);
    expect(committed).toEqual([]);

    clock.advance(55_000); // exactly at the deadline: due
    await sweeper.sweep();
    await sweeper.sweep();
    expect(committed.map((change) => [change.eventId, change.cause, change.ticketIds])).toEqual([
      [7, 'expired', [10, 20]],
    ]);
    expect(sink.notices.slice(2)).toEqual([
      { userId: 100, reason: 'expired', id: 1 },
      { userId: 101, reason: 'expired', id: 2 },
    ]);
    expect(holds.holds.map((hold) => hold.status)).toEqual(['expired', 'expired', 'held']);

    clock.advance(250_000);
    await sweeper.sweep();
    clock.advance(50_000);
    await sweeper.sweep();
    expect(committed.map((change) => change.eventId)).toEqual([7, 8]);
    expect(sink.notices.filter((notice) => notice.id === 3).map((notice) => notice.reason)).toEqual([
      'expiring',
      'expired',
    ]);
  });

  it('does not start a second sweep while one is running', async () => {
    const { clock, timers, holds, committed, sweeper } = setUp();
    holds.hold(1, 7, 100, clock.nowMs() - 1);
    sweeper.onApplicationBootstrap();
    timers.fire();
    timers.fire();
    await sweeper.sweep();
    expect(holds.expiryCalls).toBe(1);
    expect(committed).toHaveLength(1);
  });

  it('leaves a hold whose expiry failed for the next sweep, and expires it then', async () => {
    const { clock, holds, committed, sink, sweeper } = setUp();
    holds.hold(1, 7, 100, clock.nowMs() - 1);
    holds.failNext = true;
    await sweeper.sweep();
    expect(committed).toEqual([]);
    expect(holds.holds[0].status).toBe('held');
    await sweeper.sweep();
    expect(committed.map((change) => change.cause)).toEqual(['expired']);
    // Already past its deadline: told it expired, never warned.
    expect(sink.notices.map((notice) => notice.reason)).toEqual(['expired']);
  });

  it('stops sweeping on shutdown', async () => {
    const { clock, timers, holds, sweeper } = setUp();
    sweeper.onApplicationBootstrap();
    await sweeper.onApplicationShutdown();
    holds.hold(1, 7, 100, clock.nowMs() - 1);
    timers.fire();
    await new Promise((resolve) => setImmediate(resolve));
    expect(holds.expiryCalls).toBe(0);
  });
});
