import type { InventoryChanged } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { Timers } from '../common/timers';
import { loadConfig } from '../config/app-config';
import { LocalInventory, type InventoryOutboxPort, type LevelCountRecorderPort } from './local-inventory';
import type { CommittedChange } from './committed-change';
import { InProcessIndexHost } from './index-host/in-process-index-host';
import type { IndexChange, TicketColumns } from './index-host/index-host';
import type { IndexState } from './index-host/index-messages';
import { AppliedChanges } from './applied-changes';
import type { EventTickets } from './inventory-outbox';
import { InventoryChanges } from './inventory-changes';
import { LocalInventoryFeed } from './local-inventory-feed';
import { Metrics } from '../observability/metrics';

/** An in-memory outbox: the database side as plain data, for any number of events. */
class FakeOutbox implements InventoryOutboxPort {
  rows: CommittedChange[] = [];
  snapshots = 0;
  reads = 0;
  readonly tickets = new Map<number, Map<number, number>>();

  constructor(initial: Map<number, number>) {
    this.tickets.set(1, initial);
  }

  private versionOf(eventId: number): number {
    return this.rows.filter((row) => row.eventId === eventId).at(-1)?.version ?? 0;
  }

  async readTickets(eventId: number): Promise<EventTickets | null> {
    this.snapshots++;
    const tickets = this.tickets.get(eventId);
    if (!tickets) return null;
    const version = this.versionOf(eventId);
    return {
      eventId,
      version,
      totalTickets: tickets.size,
      availableTickets: tickets.size,
      tickets: {
        version,
        ids: Float64Array.from(tickets.keys()),
        values: Float64Array.from(tickets.values()),
      },
    };
  }

  async readAfter(eventId: number, version: number): Promise<CommittedChange[]> {
    this.reads++;
    return this.rows.filter((row) => row.eventId === eventId && row.version > version);
  }

  async staleLevelCounts(): Promise<number[]> {
    return [];
  }

  async versions(ids: number[]): Promise<Map<number, number>> {
    return new Map(ids.filter((id) => this.tickets.has(id)).map((id) => [id, this.versionOf(id)]));
  }

  /** Commits a change: what the services do in their transaction. */
  commit(
    cause: CommittedChange['cause'],
    ticketIds: number[],
    values: number[] | null,
    eventId = 1,
  ): CommittedChange {
    const tickets = this.tickets.get(eventId)!;
    if (cause === 'reserved' || cause === 'ticket-deleted') for (const id of ticketIds) tickets.delete(id);
    else ticketIds.forEach((id, i) => tickets.set(id, values![i]));
    const change: CommittedChange = {
      eventId,
      version: this.versionOf(eventId) + 1,
      cause,
      ticketIds,
      values,
      totalTickets: 0,
      availableTickets: tickets.size,
      committedAt: 0,
    };
    this.rows.push(change);
    return change;
  }
}

/** The recorder's one method, remembering what it was told. */
class FakeLevelCounts implements LevelCountRecorderPort {
  readonly recorded: [number, number, number][] = [];
  record(eventId: number, version: number, levelCount: number): void {
    this.recorded.push([eventId, version, levelCount]);
  }
}

/** The in-process host, with loads that can be held back to see what happens meanwhile. */
class GatedHost extends InProcessIndexHost {
  loads = 0;
  private gate: Promise<void> | null = null;
  private open: () => void = () => undefined;

  /** Resolves when a load reaches the paused gate. */
  private reached: () => void = () => undefined;
  loadReached: Promise<void> = Promise.resolve();

  pauseLoads(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
    this.loadReached = new Promise((resolve) => (this.reached = resolve));
  }

  resumeLoads(): void {
    this.gate = null;
    this.open();
  }

  private dropped: (eventId: number) => void = () => undefined;
  /** Resolves with the event whose index the host drops next. */
  nextDrop(): Promise<number> {
    return new Promise((resolve) => (this.dropped = resolve));
  }

  override async drop(eventId: number): Promise<void> {
    await super.drop(eventId);
    this.dropped(eventId);
  }

  /** The number of changes of each apply the host was sent. */
  readonly batches: number[] = [];

  override apply(eventId: number, changes: readonly IndexChange[]): Promise<IndexState[]> {
    this.batches.push(changes.length);
    return super.apply(eventId, changes);
  }

  override async load(eventId: number, tickets: TicketColumns): Promise<IndexState> {
    this.loads++;
    if (this.gate) {
      this.reached();
      await this.gate;
    }
    return super.load(eventId, tickets);
  }
}

function setup(env: Record<string, string> = {}) {
  const outbox = new FakeOutbox(
    new Map([
      [1, 1],
      [2, 2],
      [3, 4],
    ]),
  );
  const feed = new InventoryChanges(new LocalInventoryFeed());
  const config = loadConfig(env, '/r');
  const timers = new Timers();
  // What the fan-out would be handed, in order.
  const sent: InventoryChanged[] = [];
  const watched = new Set<number>();
  const applied = new AppliedChanges();
  applied.connect({
    applied: (change) => void sent.push(change),
    watches: (eventId) => watched.has(eventId),
  });
  const host = new GatedHost();
  const levelCounts = new FakeLevelCounts();
  const indexes = new LocalInventory(
    outbox,
    feed,
    applied,
    host,
    levelCounts,
    config,
    new Clock(),
    timers,
    new Metrics(),
  );
  indexes.onApplicationBootstrap();
  return { outbox, feed, indexes, sent, host, levelCounts, watched };
}

const levelsOf = async (indexes: LocalInventory, eventId = 1): Promise<number[]> =>
  (await indexes.page(eventId, { offset: 0, limit: 100 })).page.rows.map((row) => row.level);

describe('LocalInventory (the ordered consumer)', () => {
  afterEach(() => jest.useRealTimers());

  it('builds lazily and applies the next version, broadcasting it once with its level count, and records the counts', async () => {
    const { outbox, feed, indexes, sent, levelCounts } = setup();
    const inventory = await indexes.get(1);
    expect(inventory?.levelCount).toBe(7);
    await feed.committed(outbox.commit('reserved', [3], null));
    expect(inventory).toMatchObject({ version: 1, levelCount: 3 });
    expect(await levelsOf(indexes)).toEqual([1, 2, 3]);
    expect(sent).toEqual([
      expect.objectContaining({ eventId: 1, version: 1, cause: 'reserved', ticketIds: [3], levelCount: 3 }),
    ]);
    expect(levelCounts.recorded).toEqual([
      [1, 0, 7],
      [1, 1, 3],
    ]);
  });

  it('applies changes that arrive together in one batch, broadcasting each with its own level count', async () => {
    const { outbox, feed, indexes, sent, host } = setup();
    await indexes.get(1);
    await Promise.all([
      feed.committed(outbox.commit('reserved', [3], null)),
      feed.committed(outbox.commit('ticket-created', [8], [8])),
      feed.committed(outbox.commit('reserved', [1], null)),
    ]);
    expect(host.batches).toEqual([3]);
    expect(sent.map((c) => [c.version, c.levelCount])).toEqual([
      [1, 3],
      [2, 7],
      [3, 3],
    ]);
  });

  it('drops duplicates and stale versions', async () => {
    const { outbox, feed, indexes, sent } = setup();
    await indexes.get(1);
    const change = outbox.commit('reserved', [1], null);
    await feed.committed(change);
    await feed.committed(change);
    await feed.committed({ ...change, version: 0 });
    expect(sent.map((c) => c.version)).toEqual([1]);
  });

  it('fills a gap from the outbox so versions reach sockets in order, each once', async () => {
    const { outbox, feed, indexes, sent } = setup();
    await indexes.get(1);
    outbox.commit('reserved', [1], null); // version 1: its message is lost
    outbox.commit('ticket-created', [9], [10]); // version 2: its message is delayed
    const third = outbox.commit('released', [1], [1]); // version 3 arrives first
    await feed.committed(third);
    await feed.committed(outbox.rows[1]);
    expect(sent.map((c) => [c.version, c.cause])).toEqual([
      [1, 'reserved'],
      [2, 'ticket-created'],
      [3, 'released'],
    ]);
    expect((await indexes.combo(1, 17)).ticketIds).toEqual([1, 2, 3, 9]);
    expect(outbox.snapshots).toBe(1);
  });

  it('holds a change that overtook its predecessor until the predecessor arrives, without reading the outbox', async () => {
    const { outbox, feed, indexes, sent } = setup();
    await indexes.get(1);
    const first = outbox.commit('reserved', [1], null);
    const second = outbox.commit('reserved', [2], null);
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    const secondApplied = feed.committed(second);
    await Promise.resolve();
    expect(sent).toEqual([]);
    await feed.committed(first);
    await secondApplied;
    expect(sent.map((c) => c.version)).toEqual([1, 2]);
    expect(outbox.reads).toBe(0);
  });

  it('wakes a caller waiting for a version once a change passes it, or answers false after the timeout', async () => {
    const { outbox, feed, indexes } = setup();
    await indexes.get(1);
    const passed = indexes.waitForVersion(1, 0, 1000);
    await feed.committed(outbox.commit('reserved', [1], null));
    await expect(passed).resolves.toBe(true);
    jest.useFakeTimers();
    const timedOut = indexes.waitForVersion(1, 1, 20);
    jest.advanceTimersByTime(20);
    await expect(timedOut).resolves.toBe(false);
  });

  it('reads the values of an addition from the outbox when the message omitted them', async () => {
    const { outbox, feed, indexes } = setup();
    await indexes.get(1);
    const change = outbox.commit('ticket-created', [7], [100]);
    await feed.committed({ ...change, ticketIds: [], values: null });
    expect((await indexes.combo(1, 107)).ticketIds).toEqual([1, 2, 3, 7]);
  });

  it('ignores changes of events nobody loaded (loading them only where they were committed), and catches up when asked', async () => {
    const { outbox, indexes, sent, host } = setup();
    await indexes.consume(outbox.commit('reserved', [1], null), 'remote');
    expect(sent).toEqual([]);
    expect(host.loads).toBe(0);
    const inventory = await indexes.get(1);
    expect(inventory?.version).toBe(1);
    outbox.commit('reserved', [2], null); // committed by another replica, message not yet here
    await indexes.catchUp(1);
    expect(inventory).toMatchObject({ version: 2, levelCount: 1 });
  });

  it('loads an unloaded event when this replica committed a change to it, so its level count gets recorded', async () => {
    const { outbox, feed, indexes, levelCounts } = setup();
    await feed.committed(outbox.commit('ticket-created', [5], [8]));
    await indexes.get(1);
    expect(levelCounts.recorded).toEqual([[1, 1, 15]]);
  });

  it('rebuilds an index that disagrees with a change and tells sockets the current state', async () => {
    const { feed, indexes, outbox, sent } = setup();
    await indexes.get(1);
    await feed.committed({ ...outbox.commit('reserved', [2], null), ticketIds: [42] });
    expect(outbox.snapshots).toBe(2);
    const rebuilt = await indexes.get(1);
    expect(rebuilt?.version).toBe(1);
    expect(await levelsOf(indexes)).toEqual([1, 4, 5]);
    expect(sent).toEqual([expect.objectContaining({ version: 1, levelCount: 3 })]);
    // The next change applies normally.
    await feed.committed(outbox.commit('reserved', [1], null));
    expect(sent.map((c) => c.version)).toEqual([1, 2]);
  });

  it('answers reads from the previous index while a rebuild is under way, then from the new one', async () => {
    const { indexes, outbox, host } = setup();
    await indexes.get(1);
    outbox.tickets.get(1)!.set(4, 8); // written behind the index's back: only a rebuild sees it
    host.pauseLoads();
    const rebuilt = indexes.rebuild(1);
    await expect(levelsOf(indexes)).resolves.toEqual([1, 2, 3, 4, 5, 6, 7]);
    host.resumeLoads();
    await rebuilt;
    expect(await levelsOf(indexes)).toHaveLength(15);
  });

  it('reports the events being built', async () => {
    const { indexes, host } = setup();
    host.pauseLoads();
    const loading = indexes.get(1);
    await host.loadReached;
    expect(indexes.status().building).toEqual([1]);
    host.resumeLoads();
    await loading;
    expect(indexes.status()).toMatchObject({ loaded: 1, building: [] });
  });

  it('over its memory budget drops the least recently used index nobody here watches, and rebuilds it on its next read', async () => {
    // 16 MiB: the smallest budget; three events of about 6.6 MiB each (4.4 bytes per unit of their ticket total).
    const { indexes, outbox, host, watched } = setup({ INDEX_MEMORY_MB: '16' });
    for (const eventId of [1, 2, 3]) outbox.tickets.set(eventId, new Map([[eventId * 10, 1_500_000]]));
    watched.add(1);
    await indexes.get(1);
    await indexes.get(2);
    const dropped = host.nextDrop();
    await indexes.get(3);
    await expect(dropped).resolves.toBe(2);
    expect(indexes.loadedEventIds().sort()).toEqual([1, 3]);
    expect(host.loads).toBe(3);
    expect(await levelsOf(indexes, 2)).toEqual([1_500_000]);
    expect(host.loads).toBe(4);
    expect(indexes.status().memoryBytes).toBeLessThanOrEqual(indexes.status().budgetBytes);
  });

  it('tells joined sockets when the event is deleted and forgets it', async () => {
    const { feed, indexes, sent } = setup();
    await indexes.get(1);
    await feed.committed({
      eventId: 1,
      version: 1,
      cause: 'event-deleted',
      ticketIds: [],
      values: [],
      totalTickets: 0,
      availableTickets: 0,
      committedAt: 0,
    });
    expect(sent).toEqual([expect.objectContaining({ cause: 'event-deleted', levelCount: 0 })]);
    expect(indexes.loadedEventIds()).toEqual([]);
  });
});
