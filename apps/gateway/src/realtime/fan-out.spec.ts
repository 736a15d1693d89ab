import type { InventoryChanged } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { Timers, type ScheduledTask } from '../common/timers';
import { loadConfig } from '../config/app-config';
import { AppliedChanges } from '../inventory/applied-changes';
import { FanOut, RoomSink } from './fan-out';
import { Metrics } from '../observability/metrics';

/** Timers that run only when the test advances time or turns the loop. */
class ManualTimers extends Timers {
  now = 0;
  private soonTasks: (() => void)[] = [];

  override soon(fn: () => void): ScheduledTask {
    let cancelled = false;
    this.soonTasks.push(() => cancelled || fn());
    return { cancel: () => (cancelled = true) };
  }

  /** One turn of the event loop: runs what `soon` queued before it (not what those queue). */
  turn(): void {
    const due = this.soonTasks;
    this.soonTasks = [];
    due.forEach((fn) => fn());
  }

  private tasks: { at: number; fn: () => void; cancelled: boolean }[] = [];

  override after(ms: number, fn: () => void): ScheduledTask {
    const task = { at: this.now + ms, fn, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => (task.cancelled = true) };
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.tasks
        .filter((task) => !task.cancelled && task.at <= until)
        .sort((a, b) => a.at - b.at)[0];
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
  ticketCount: 1,
  levelCount: 10 - version,
  totalTickets: 10,
  availableTickets: 10 - version,
  committedAt: 0,
});

/** The manual timers' time, as the fan-out's clock. */
class ManualClock extends Clock {
  constructor(private readonly timers: ManualTimers) {
    super();
  }

  override monotonicMs(): number {
    return this.timers.now;
  }
}

type Delivery = (eventId: number, shard: number, changes: readonly InventoryChanged[]) => void;

/** A room whose every event has listeners; what it is handed goes to `onDeliver`. */
class TestSink extends RoomSink {
  onDeliver: Delivery = () => undefined;

  deliver(eventId: number, shard: number, changes: readonly InventoryChanged[]): void {
    this.onDeliver(eventId, shard, changes);
  }

  hasListeners(): boolean {
    return true;
  }
}

function setup(interval: number, shards = 1) {
  const timers = new ManualTimers();
  const sink = new TestSink();
  const fanOut = new FanOut(
    loadConfig({ BROADCAST_INTERVAL_MS: String(interval), BROADCAST_SHARDS: String(shards) }, '/r'),
    timers,
    new ManualClock(timers),
    sink,
    new AppliedChanges(),
    new Metrics(),
  );
  const messages: { eventId: number; versions: number[]; at: number }[] = [];
  sink.onDeliver = (eventId, _shard, changes) =>
    messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now });
  return { timers, fanOut, sink, messages };
}

describe('FanOut (per-event coalescing)', () => {
  it('sends a lone change at once', () => {
    const { fanOut, messages } = setup(50);
    fanOut.applied(change(1, 1));
    expect(messages).toEqual([{ eventId: 1, versions: [1], at: 0 }]);
  });

  it('holds changes that come within the interval and sends them together, in order, when it ends', () => {
    const { timers, fanOut, messages } = setup(50);
    fanOut.applied(change(1, 1));
    timers.advance(10);
    fanOut.applied(change(1, 2));
    timers.advance(10);
    fanOut.applied(change(1, 3));
    expect(messages).toHaveLength(1);
    timers.advance(30);
    expect(messages).toEqual([
      { eventId: 1, versions: [1], at: 0 },
      { eventId: 1, versions: [2, 3], at: 50 },
    ]);
    // A steady stream: at most one message per interval, every version exactly once.
    for (let version = 4; version <= 40; version += 1) {
      fanOut.applied(change(1, version));
      timers.advance(7);
    }
    timers.advance(100);
    const versions = messages.flatMap((message) => message.versions);
    expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const gaps = messages.slice(1).map((message, i) => message.at - messages[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
  });

  it('sends at once again after a quiet interval, and forgets quiet events', () => {
    const { timers, fanOut, messages } = setup(50);
    fanOut.applied(change(1, 1));
    timers.advance(50);
    expect(timers.pending).toBe(0);
    fanOut.applied(change(1, 2));
    expect(messages.map((message) => message.versions)).toEqual([[1], [2]]);
  });

  it('keeps events apart', () => {
    const { timers, fanOut, messages } = setup(50);
    fanOut.applied(change(1, 1));
    fanOut.applied(change(2, 1));
    fanOut.applied(change(1, 2));
    timers.advance(50);
    expect(messages).toEqual([
      { eventId: 1, versions: [1], at: 0 },
      { eventId: 2, versions: [1], at: 0 },
      { eventId: 1, versions: [2], at: 50 },
    ]);
  });

  it('flush sends what waits now (before a socket joins the room) and restarts the interval', () => {
    const { timers, fanOut, messages } = setup(50);
    fanOut.applied(change(1, 1));
    fanOut.applied(change(1, 2));
    timers.advance(20);
    fanOut.flush(1);
    fanOut.flush(1);
    fanOut.applied(change(1, 3));
    timers.advance(49);
    expect(messages.map((message) => [message.versions, message.at])).toEqual([
      [[1], 0],
      [[2], 20],
    ]);
    timers.advance(1);
    expect(messages.at(-1)).toEqual({ eventId: 1, versions: [3], at: 70 });
  });

  it('with interval 0 sends every change alone, at once', () => {
    const { timers, fanOut, messages } = setup(0);
    for (let version = 1; version <= 3; version += 1) fanOut.applied(change(1, version));
    expect(messages.map((message) => message.versions)).toEqual([[1], [2], [3]]);
    expect(timers.pending).toBe(0);
  });

  it('survives a sink that throws: the failure is contained and later changes still go out', () => {
    const { timers, fanOut, sink, messages } = setup(50);
    let failures = 1;
    sink.onDeliver = (eventId, _shard, changes) => {
      if (failures-- > 0) throw new Error('socket server gone');
      messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now });
    };
    expect(() => fanOut.applied(change(1, 1))).not.toThrow();
    fanOut.applied(change(1, 2));
    timers.advance(50);
    expect(messages).toEqual([{ eventId: 1, versions: [2], at: 50 }]);
  });

  it('waits longer after a slow send (a large room), so fan-out takes at most a quarter of the time', () => {
    const { timers, fanOut, sink, messages } = setup(50);
    // Handing a message to the sockets takes 40 ms here: the next one leaves 3 × 40 ms after that, not 50 ms.
    sink.onDeliver = (eventId, _shard, changes) => {
      messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now });
      timers.now += 40;
    };
    fanOut.applied(change(1, 1));
    fanOut.applied(change(1, 2));
    timers.advance(119);
    expect(messages.map((message) => message.versions)).toEqual([[1]]);
    timers.advance(1);
    expect(messages).toEqual([
      { eventId: 1, versions: [1], at: 0 },
      { eventId: 1, versions: [2], at: 160 },
    ]);
    // Fast sends again: back to the configured interval.
    sink.onDeliver = (eventId, _shard, changes) =>
      messages.push({ eventId, versions: changes.map((c) => c.version), at: timers.now });
    timers.advance(120);
    fanOut.applied(change(1, 3));
    fanOut.applied(change(1, 4));
    timers.advance(50);
    expect(messages.slice(2)).toEqual([
      { eventId: 1, versions: [3], at: 320 },
      { eventId: 1, versions: [4], at: 370 },
    ]);
  });

  it('sends what waits on shutdown', () => {
    const { fanOut, messages } = setup(50);
    fanOut.applied(change(1, 1));
    fanOut.applied(change(1, 2));
    fanOut.beforeApplicationShutdown();
    expect(messages.map((message) => message.versions)).toEqual([[1], [2]]);
  });

  describe('with the room in shards', () => {
    /** Every hand-over, shard by shard: [shard, versions, at]. */
    function sharded(interval: number, shards: number, sendMs = 0) {
      const { timers, fanOut, sink } = setup(interval, shards);
      const deliveries: [number, number[], number][] = [];
      sink.onDeliver = (_eventId, shard, changes) => {
        deliveries.push([shard, changes.map((c) => c.version), timers.now]);
        timers.now += sendMs;
      };
      return { timers, fanOut, deliveries };
    }

    it('hands a message to one shard per turn of the event loop, and the next one only after the last shard', () => {
      const { timers, fanOut, deliveries } = sharded(50, 3);
      fanOut.applied(change(1, 1));
      expect(deliveries).toEqual([[0, [1], 0]]);
      fanOut.applied(change(1, 2));
      timers.turn();
      expect(deliveries).toEqual([
        [0, [1], 0],
        [1, [1], 0],
      ]);
      timers.turn();
      timers.advance(50);
      for (let turn = 0; turn < 3; turn += 1) timers.turn();
      // Each shard got version 1 then version 2: every socket, every change, once and in order.
      for (let shard = 0; shard < 3; shard += 1) {
        expect(deliveries.filter(([s]) => s === shard).map(([, versions]) => versions)).toEqual([[1], [2]]);
      }
    });

    it('holds changes that come while the shards are being served, even with interval 0', () => {
      const { timers, fanOut, deliveries } = sharded(0, 2);
      fanOut.applied(change(1, 1));
      fanOut.applied(change(1, 2));
      fanOut.applied(change(1, 3));
      timers.turn();
      expect(deliveries).toEqual([
        [0, [1], 0],
        [1, [1], 0],
        [0, [2, 3], 0],
      ]);
      timers.turn();
      timers.turn();
      expect(deliveries).toHaveLength(4);
    });

    it('stretches the interval by the time all shards took together', () => {
      const { timers, fanOut, deliveries } = sharded(50, 2, 20);
      fanOut.applied(change(1, 1));
      timers.turn();
      fanOut.applied(change(1, 2));
      // Two shards of 20 ms each: the next message waits 3 × 40 ms after the last shard (at 40).
      timers.advance(119);
      expect(deliveries.map(([, versions]) => versions)).toEqual([[1], [1]]);
      timers.advance(1);
      expect(deliveries[2]).toEqual([0, [2], 160]);
    });

    it('flush hands the rest of a message on its way, then what waits, to every shard at once', () => {
      const { timers, fanOut, deliveries } = sharded(50, 3);
      fanOut.applied(change(1, 1));
      fanOut.applied(change(1, 2));
      fanOut.flush(1);
      expect(deliveries).toEqual([
        [0, [1], 0],
        [1, [1], 0],
        [2, [1], 0],
        [0, [2], 0],
        [1, [2], 0],
        [2, [2], 0],
      ]);
      // The turn that was to hand version 1 to shard 1 was called off: nothing is sent twice.
      timers.turn();
      timers.turn();
      timers.advance(1000);
      expect(deliveries).toHaveLength(6);
    });

    it('on shutdown finishes the message on its way and what waits, and sends later changes straight to every shard', () => {
      const { timers, fanOut, sink } = setup(50, 2);
      const received: string[] = [];
      sink.onDeliver = (eventId, shard, changes) =>
        received.push(`e${eventId}s${shard}:${changes.map((c) => c.version).join(',')}`);
      fanOut.applied(change(1, 1));
      fanOut.applied(change(1, 2));
      fanOut.applied(change(2, 1));
      expect(received).toEqual(['e1s0:1', 'e2s0:1']);
      fanOut.beforeApplicationShutdown();
      expect(received).toEqual(['e1s0:1', 'e2s0:1', 'e1s1:1', 'e1s0:2', 'e1s1:2', 'e2s1:1']);
      // A change applied during shutdown is neither held for an interval nor dropped.
      fanOut.applied(change(1, 3));
      expect(received.slice(6)).toEqual(['e1s0:3', 'e1s1:3']);
      timers.turn();
      timers.advance(1000);
      expect(received).toHaveLength(8);
    });

    it.each([
      ['keeps a configured interval above the stretch cap', 5000, 0, 5000],
      ['caps the stretch at 2 s', 50, 5000, 2000],
    ])('%s', (_name, interval, sendMs, gap) => {
      const { timers, fanOut, deliveries } = sharded(interval, 1, sendMs);
      fanOut.applied(change(1, 1));
      fanOut.applied(change(1, 2));
      timers.advance(gap - 1);
      expect(deliveries).toHaveLength(1);
      timers.advance(1);
      expect(deliveries).toHaveLength(2);
    });
  });
});
