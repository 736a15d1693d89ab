import type { InventoryChanged } from '@tickets/protocol';
import { Clock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { ClearanceIndexes } from './clearance-indexes.service';
import type { CommittedChange } from './committed-change';
import { Timers } from '../common/timers';
import { InventoryBroadcaster } from './inventory-broadcaster';
import type { EventSnapshot, InventoryOutbox } from './inventory-outbox';
import { LocalInventoryFeed } from './local-inventory-feed';

/** An in-memory outbox: the database side as plain data. */
class FakeOutbox {
  rows: CommittedChange[] = [];
  snapshots = 0;
  constructor(public tickets: Map<number, number>) {}

  async snapshot(eventId: number): Promise<EventSnapshot | null> {
    this.snapshots++;
    const version = this.rows.at(-1)?.version ?? 0;
    return {
      eventId,
      version,
      totalTickets: this.tickets.size,
      availableTickets: this.tickets.size,
      tickets: [...this.tickets].map(([id, value]) => ({ id, value })),
    };
  }

  reads = 0;
  async readAfter(eventId: number, version: number): Promise<CommittedChange[]> {
    this.reads++;
    return this.rows.filter((row) => row.eventId === eventId && row.version > version);
  }

  async versions(ids: number[]): Promise<Map<number, number>> {
    return new Map(ids.map((id) => [id, this.rows.at(-1)?.version ?? 0]));
  }

  /** Commits a change: what the services do in their transaction. */
  commit(cause: CommittedChange['cause'], ticketIds: number[], values: number[] | null): CommittedChange {
    if (cause === 'reserved' || cause === 'ticket-deleted') for (const id of ticketIds) this.tickets.delete(id);
    else ticketIds.forEach((id, i) => this.tickets.set(id, values![i]));
    const change: CommittedChange = {
      eventId: 1,
      version: (this.rows.at(-1)?.version ?? 0) + 1,
      cause,
      ticketIds,
      values,
      totalTickets: 0,
      availableTickets: this.tickets.size,
      committedAt: 0,
    };
    this.rows.push(change);
    return change;
  }
}

function setup() {
  const outbox = new FakeOutbox(new Map([[1, 1], [2, 2], [3, 4]]));
  const feed = new LocalInventoryFeed();
  // Interval 0: one message per change, so `sent` shows exactly what was broadcast when.
  const config = loadConfig({ BROADCAST_INTERVAL_MS: '0', BROADCAST_SHARDS: '1' }, '/r');
  const timers = new Timers();
  const broadcaster = new InventoryBroadcaster(config, timers, new Clock());
  const sent: InventoryChanged[] = [];
  broadcaster.attach((_eventId, _shard, changes) => sent.push(...changes));
  const indexes = new ClearanceIndexes(outbox as unknown as InventoryOutbox, feed, broadcaster, config, new Clock(), timers);
  return { outbox, feed, indexes, sent };
}

describe('ClearanceIndexes (the ordered consumer)', () => {
  it('builds lazily and applies the next version, broadcasting it once', async () => {
    const { outbox, feed, indexes, sent } = setup();
    const inventory = await indexes.get(1);
    expect(inventory?.index.size).toBe(7);
    await feed.publish(outbox.commit('reserved', [3], null));
    expect(inventory?.version).toBe(1);
    expect(inventory?.index.size).toBe(3);
    expect(sent).toEqual([expect.objectContaining({ eventId: 1, version: 1, cause: 'reserved', ticketIds: [3], levelCount: 3 })]);
  });

  it('drops duplicates and stale versions', async () => {
    const { outbox, feed, indexes, sent } = setup();
    await indexes.get(1);
    const change = outbox.commit('reserved', [1], null);
    await feed.publish(change);
    await feed.publish(change);
    await feed.publish({ ...change, version: 0 });
    expect(sent.map((c) => c.version)).toEqual([1]);
  });

  it('fills a gap from the outbox so versions reach sockets in order, each once', async () => {
    const { outbox, feed, indexes, sent } = setup();
    await indexes.get(1);
    outbox.commit('reserved', [1], null); // version 1: its message is lost
    outbox.commit('ticket-created', [9], [10]); // version 2: its message is delayed
    const third = outbox.commit('released', [1], [1]); // version 3 arrives first
    await feed.publish(third);
    await feed.publish(outbox.rows[1]);
    expect(sent.map((c) => [c.version, c.cause])).toEqual([
      [1, 'reserved'],
      [2, 'ticket-created'],
      [3, 'released'],
    ]);
    const inventory = await indexes.get(1);
    expect(inventory?.index.combo(17)).toEqual([1, 2, 3, 9]);
    expect(outbox.snapshots).toBe(1);
  });

  it('holds a change that overtook its predecessor until the predecessor arrives, without reading the outbox', async () => {
    const { outbox, feed, indexes, sent } = setup();
    await indexes.get(1);
    const first = outbox.commit('reserved', [1], null);
    const second = outbox.commit('reserved', [2], null);
    const secondApplied = feed.publish(second);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sent).toEqual([]);
    await feed.publish(first);
    await secondApplied;
    expect(sent.map((c) => c.version)).toEqual([1, 2]);
    expect(outbox.reads).toBe(0);
  });

  it('wakes a caller waiting for a version once a change passes it, or answers false after the timeout', async () => {
    const { outbox, feed, indexes } = setup();
    await indexes.get(1);
    const passed = indexes.waitForVersion(1, 0, 1000);
    await feed.publish(outbox.commit('reserved', [1], null));
    await expect(passed).resolves.toBe(true);
    await expect(indexes.waitForVersion(1, 1, 20)).resolves.toBe(false);
  });

  it('reads the values of an addition from the outbox when the message omitted them', async () => {
    const { outbox, feed, indexes } = setup();
    await indexes.get(1);
    const change = outbox.commit('ticket-created', [7], [100]);
    await feed.publish({ ...change, ticketIds: [], values: null });
    expect((await indexes.get(1))?.index.has(107)).toBe(true);
  });

  it('ignores changes of events nobody loaded, and catches up when asked', async () => {
    const { outbox, feed, indexes, sent } = setup();
    await feed.publish(outbox.commit('reserved', [1], null));
    expect(sent).toEqual([]);
    const inventory = await indexes.get(1);
    expect(inventory?.version).toBe(1);
    outbox.commit('reserved', [2], null); // committed by another replica, message not yet here
    await indexes.catchUp(1);
    expect(inventory?.version).toBe(2);
    expect(inventory?.index.size).toBe(1);
  });

  it('rebuilds an index that disagrees with a change and tells sockets the current state', async () => {
    const { feed, indexes, outbox, sent } = setup();
    await indexes.get(1);
    await feed.publish({ ...outbox.commit('reserved', [2], null), ticketIds: [42] });
    expect(outbox.snapshots).toBe(2);
    const rebuilt = await indexes.get(1);
    expect(rebuilt?.version).toBe(1);
    expect(rebuilt?.index.has(2)).toBe(false);
    expect(rebuilt?.index.has(5)).toBe(true);
    expect(sent).toEqual([expect.objectContaining({ version: 1, levelCount: rebuilt?.index.size })]);
    // The next change applies normally.
    await feed.publish(outbox.commit('reserved', [1], null));
    expect(sent.map((c) => c.version)).toEqual([1, 2]);
  });

  it('tells joined sockets when the event is deleted and forgets it', async () => {
    const { feed, indexes, sent } = setup();
    await indexes.get(1);
    await feed.publish({ eventId: 1, version: 1, cause: 'event-deleted', ticketIds: [], values: [], totalTickets: 0, availableTickets: 0, committedAt: 0 });
    expect(sent).toEqual([expect.objectContaining({ cause: 'event-deleted', levelCount: 0 })]);
    expect(indexes.loadedEventIds()).toEqual([]);
  });
});
