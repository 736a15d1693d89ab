import type { InventoryChanged } from '@tickets/protocol';
import type { Clock } from '../common/clock';
import type { ScheduledTask, Timers } from '../common/timers';
import { loadConfig } from '../config/app-config';
import { InventoryBroadcaster } from './inventory-broadcaster';

/** Timers that run only when the test advances time; also the broadcaster's clock. */
class ManualTimers implements Pick<Timers, 'after'>, Pick<Clock, 'monotonicMs'> {
  now = 0;

  monotonicMs(): number {
    return this.now;
  }
  private tasks: { at: number; fn: () => void; cancelled: boolean }[] = [];

  after(ms: number, fn: () => void): ScheduledTask {
    const task = { at: this.now + ms, fn, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => (task.cancelled = true) };
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.tasks.filter((task) => !task.cancelled && task.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      // Time never goes back, even when a callback made it pass (a slow send).
      this.now = Math.max(this.now, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.now = Math.max(this.now, until);
    this.tasks = this.tasks.filter((task) => !task.cancelled);
  }

  get pending(): number {
    return this.tasks.filter((task) => !task.cancelled).length;
  }
}

const change = (eventId: number, version: number): InventoryChanged => ({
  eventId,
  version,
  cause: 'reserved',
  ticketIds: [version],
  levelCount: 10 - version,
  totalTickets: 10,
  availableTickets: 10 - version,
  committedAt: 0,
});

function setup(interval: number) {
  const timers = new ManualTimers();
  const broadcaster = new InventoryBroadcaster(
    loadConfig({ BROADCAST_INTERVAL_MS: String(interval) }, '/r'),
    timers as unknown as Timers,
    timers as unknown as Clock,
  );
  const messages: { eventId: number; versions: number[]; at: number }[] = [];
  broadcaster.attach((eventId, changes) => messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now }));
  return { timers, broadcaster, messages };
}

describe('InventoryBroadcaster (per-event coalescing)', () => {
  it('sends a lone change at once', () => {
    const { broadcaster, messages } = setup(50);
    broadcaster.changed(change(1, 1));
    expect(messages).toEqual([{ eventId: 1, versions: [1], at: 0 }]);
  });

  it('holds changes that come within the interval and sends them together, in order, when it ends', () => {
    const { timers, broadcaster, messages } = setup(50);
    broadcaster.changed(change(1, 1));
    timers.advance(10);
    broadcaster.changed(change(1, 2));
    timers.advance(10);
    broadcaster.changed(change(1, 3));
    expect(messages).toHaveLength(1);
    timers.advance(30);
    expect(messages).toEqual([
      { eventId: 1, versions: [1], at: 0 },
      { eventId: 1, versions: [2, 3], at: 50 },
    ]);
    // A steady stream: at most one message per interval, every version exactly once.
    for (let version = 4; version <= 40; version += 1) {
      broadcaster.changed(change(1, version));
      timers.advance(7);
    }
    timers.advance(100);
    const versions = messages.flatMap((message) => message.versions);
    expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const gaps = messages.slice(1).map((message, i) => message.at - messages[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
  });

  it('sends at once again after a quiet interval, and forgets quiet events', () => {
    const { timers, broadcaster, messages } = setup(50);
    broadcaster.changed(change(1, 1));
    timers.advance(50);
    expect(timers.pending).toBe(0);
    broadcaster.changed(change(1, 2));
    expect(messages.map((message) => message.versions)).toEqual([[1], [2]]);
  });

  it('keeps events apart', () => {
    const { timers, broadcaster, messages } = setup(50);
    broadcaster.changed(change(1, 1));
    broadcaster.changed(change(2, 1));
    broadcaster.changed(change(1, 2));
    timers.advance(50);
    expect(messages).toEqual([
      { eventId: 1, versions: [1], at: 0 },
      { eventId: 2, versions: [1], at: 0 },
      { eventId: 1, versions: [2], at: 50 },
    ]);
  });

  it('flush sends what waits now (before a socket joins the room) and restarts the interval', () => {
    const { timers, broadcaster, messages } = setup(50);
    broadcaster.changed(change(1, 1));
    broadcaster.changed(change(1, 2));
    timers.advance(20);
    broadcaster.flush(1);
    broadcaster.flush(1);
    broadcaster.changed(change(1, 3));
    timers.advance(49);
    expect(messages.map((message) => [message.versions, message.at])).toEqual([
      [[1], 0],
      [[2], 20],
    ]);
    timers.advance(1);
    expect(messages.at(-1)).toEqual({ eventId: 1, versions: [3], at: 70 });
  });

  it('with interval 0 sends every change alone, at once', () => {
    const { timers, broadcaster, messages } = setup(0);
    for (let version = 1; version <= 3; version += 1) broadcaster.changed(change(1, version));
    expect(messages.map((message) => message.versions)).toEqual([[1], [2], [3]]);
    expect(timers.pending).toBe(0);
  });

  it('survives a sink that throws: the failure is contained and later changes still go out', () => {
    const { timers, broadcaster, messages } = setup(50);
    let failures = 1;
    broadcaster.attach((eventId, changes) => {
      if (failures-- > 0) throw new Error('socket server gone');
      messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now });
    });
    expect(() => broadcaster.changed(change(1, 1))).not.toThrow();
    broadcaster.changed(change(1, 2));
    timers.advance(50);
    expect(messages).toEqual([{ eventId: 1, versions: [2], at: 50 }]);
  });

  it('waits longer after a slow send (a large room), so fan-out takes at most a quarter of the time', () => {
    const { timers, broadcaster, messages } = setup(50);
    // Handing a message to the sockets takes 40 ms here: the next one leaves 3 × 40 ms after that, not 50 ms.
    broadcaster.attach((eventId, changes) => {
      messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now });
      timers.now += 40;
    });
    broadcaster.changed(change(1, 1));
    broadcaster.changed(change(1, 2));
    timers.advance(119);
    expect(messages.map((message) => message.versions)).toEqual([[1]]);
    timers.advance(1);
    expect(messages).toEqual([
      { eventId: 1, versions: [1], at: 0 },
      { eventId: 1, versions: [2], at: 160 },
    ]);
    // Fast sends again: back to the configured interval.
    broadcaster.attach((eventId, changes) => messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now }));
    timers.advance(120);
    broadcaster.changed(change(1, 3));
    broadcaster.changed(change(1, 4));
    timers.advance(50);
    expect(messages.slice(2)).toEqual([
      { eventId: 1, versions: [3], at: 320 },
      { eventId: 1, versions: [4], at: 370 },
    ]);
  });

  it('sends what waits on shutdown', () => {
    const { broadcaster, messages } = setup(50);
    broadcaster.changed(change(1, 1));
    broadcaster.changed(change(1, 2));
    broadcaster.beforeApplicationShutdown();
    expect(messages.map((message) => message.versions)).toEqual([[1], [2]]);
  });
});
