import { TICKET_LIMITS } from '@tickets/protocol';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeServer } from '../test/fakeServer';
import { COALESCE_MS, useLevelWindowStore } from './levelWindow';

vi.mock('../realtime/socket', async () => (await import('../test/fakeServer')).fakeServer.module());

/** Lets timers (the coalescing delay) and the fake server's answers run. */
async function settle(ms = COALESCE_MS * 2): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('levelWindow store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
    fakeServer.reset(10_000);
  });
  afterEach(() => vi.useRealTimers());

  async function openAt(first: number, end: number) {
    const store = useLevelWindowStore();
    store.setViewport(first, end);
    store.open(1);
    await settle();
    return store;
  }

  it('joins the event and fetches only a window around the viewport', async () => {
    const store = await openAt(5000, 5020);
    expect(store.status).toBe('ready');
    expect(store.counts?.levelCount).toBe(10_000);
    expect(store.total).toBe(10_000);
    expect(store.rowAt(5000)?.level).toBe(5001);
    expect(store.rows.length).toBeLessThanOrEqual(500);
    expect(store.rowAt(0)).toBeUndefined();
  });

  it('fetches again when the viewport leaves the window', async () => {
    const store = await openAt(0, 20);
    const before = fakeServer.pageRequests.length;
    store.setViewport(9_990, 10_000);
    await settle();
    expect(fakeServer.pageRequests.length).toBeGreaterThan(before);
    expect(store.rowAt(9_999)?.level).toBe(10_000);
  });

  it('coalesces a burst of changes into one refresh and keeps the viewed row in place', async () => {
    const store = await openAt(5000, 5020);
    const viewedLevel = store.rowAt(5000)?.level;
    const before = fakeServer.pageRequests.length;
    // Ten levels below the viewed one vanish, in three quick changes.
    const all = fakeServer.levels;
    fakeServer.commit(all.filter((level) => level > 10));
    fakeServer.commit(fakeServer.levels.filter((level) => level !== 4000));
    fakeServer.commit(fakeServer.levels.filter((level) => level !== 9000));
    await settle();
    // One refresh, one request: the window from the level shown a margin above the viewed row.
    expect(fakeServer.pageRequests.slice(before)).toEqual([
      { eventId: 1, offset: 0, limit: 220, fromLevel: 4901 },
    ]);
    expect(store.counts?.version).toBe(4);
    expect(store.windowVersion).toBe(4);
    expect(store.jump).toMatchObject({ index: 4989, align: 'keep' });
    expect(store.rowAt(4989)?.level).toBe(viewedLevel);
    expect(store.windowOffset).toBe(4889);
  });

  it('keeps the focus on its level when rows above it vanish', async () => {
    const store = await openAt(5000, 5020);
    store.focusIndex = 5010;
    expect(store.rowAt(5010)?.level).toBe(5011);
    fakeServer.commit(fakeServer.levels.filter((level) => level > 100));
    await settle();
    expect(store.focusIndex).toBe(4910);
    expect(store.rowAt(4910)?.level).toBe(5011);
  });

  it('keeps the focused row in place rather than the top one when rows between them vanish', async () => {
    const store = await openAt(5000, 5020);
    store.focusIndex = 5010;
    // The top row's level and the four after it vanish; the focused level 5011 moves up five rows.
    fakeServer.commit(fakeServer.levels.filter((level) => level < 5001 || level > 5005));
    await settle();
    expect(store.focusIndex).toBe(5005);
    expect(store.rowAt(5005)?.level).toBe(5011);
    expect(store.jump).toMatchObject({ index: 4995, align: 'keep' });
  });

  it('keeps the viewed row in place when more levels appear above it than one page holds', async () => {
    fakeServer.levels = fakeServer.levels.map((level) => level * 1000);
    const store = await openAt(5000, 5020);
    expect(store.rowAt(5000)?.level).toBe(5_001_000);
    const before = fakeServer.pageRequests.length;
    // 1,000 new levels between the row a margin above the viewed one and the viewed one.
    const added = Array.from({ length: 1000 }, (_, index) => 4_950_001 + index);
    fakeServer.commit([...fakeServer.levels, ...added].sort((a, b) => a - b));
    await settle();
    // The first page does not reach the viewed level: it is located, then its window fetched.
    expect(fakeServer.pageRequests.slice(before).map((request) => request.fromLevel)).toEqual([
      4_901_000,
      5_001_000,
      undefined,
    ]);
    expect(store.jump).toMatchObject({ index: 6000, align: 'keep' });
    expect(store.rowAt(6000)?.level).toBe(5_001_000);
  });

  it('moves to the next level when the viewed one and every level above it vanish', async () => {
    const store = await openAt(5000, 5020);
    fakeServer.commit(fakeServer.levels.filter((level) => level <= 4990));
    await settle();
    expect(store.total).toBe(4990);
    expect(store.jump).toMatchObject({ index: 4990, align: 'keep' });
    expect(store.rowAt(4989)?.level).toBe(4990);
  });

  it('highlights rows whose combination changed', async () => {
    const store = await openAt(0, 20);
    const original = fakeServer.rowOf.bind(fakeServer);
    fakeServer.rowOf = (level) =>
      level === 7
        ? { level, ticketCount: 2, ticketIds: [3, 4], ticketLabels: ['T3', 'T4'] }
        : original(level);
    fakeServer.commit(fakeServer.levels);
    await settle();
    expect([...store.highlighted]).toEqual([7]);
  });

  it('drops a reply older than the newest change and fetches again', async () => {
    const store = await openAt(0, 20);
    fakeServer.holdPages = true;
    store.setViewport(3000, 3020);
    await settle(1);
    // The page request above is answered at version 1, but version 2 is committed first.
    const staleAnswerVersion = fakeServer.version;
    fakeServer.commit(fakeServer.levels.filter((level) => level !== 1));
    fakeServer.holdPages = false;
    fakeServer.release();
    // Before the change's own coalesced refresh is due, the stale rows must already be replaced.
    await settle(1);
    expect(staleAnswerVersion).toBe(1);
    expect(store.windowVersion).toBe(2);
    expect(store.total).toBe(9_999);
  });

  it('does not wait for a fetch that a newer change made stale: a second one starts at once', async () => {
    const store = await openAt(0, 20);
    fakeServer.holdPages = true;
    fakeServer.commit(fakeServer.levels.filter((level) => level !== 1));
    await settle(COALESCE_MS + 1);
    // The refresh for version 2 is held; version 3 arrives meanwhile.
    fakeServer.holdPages = false;
    fakeServer.commit(fakeServer.levels.filter((level) => level !== 2));
    await settle(COALESCE_MS + 1);
    expect(store.windowVersion).toBe(3);
    expect(store.rowAt(0)?.level).toBe(3);
    // The held reply (version 2, older than what is shown) comes last and changes nothing.
    fakeServer.release();
    await settle();
    expect(store.windowVersion).toBe(3);
    expect(store.rowAt(0)?.level).toBe(3);
  });

  it('searches a level exactly and the nearest when it is missing', async () => {
    const store = await openAt(0, 20);
    fakeServer.commit(fakeServer.levels.filter((level) => level < 500 || level > 510));
    await settle();
    await expect(store.search(700)).resolves.toEqual({ index: 688, level: 700, exact: true });
    expect(store.focusIndex).toBe(688);
    expect(store.jump).toMatchObject({ index: 688, align: 'center' });
    await expect(store.search(507)).resolves.toEqual({ index: 499, level: 511, exact: false });
    await expect(store.search(503)).resolves.toEqual({ index: 498, level: 499, exact: false });
    await expect(store.search(50_000)).resolves.toEqual({ index: 9_988, level: 10_000, exact: false });
    // An exact hit takes one request, which says where the level is.
    const before = fakeServer.pageRequests.length;
    await store.search(9_000);
    expect(fakeServer.pageRequests.slice(before)).toEqual([
      { eventId: 1, offset: 0, limit: 1, fromLevel: 9_000 },
    ]);
    // A level past any an event can have is asked as the highest one the protocol allows.
    await expect(store.search(2 ** 40)).resolves.toMatchObject({ level: 10_000, exact: false });
    expect(fakeServer.pageRequests.at(-2)?.fromLevel).toBe(TICKET_LIMITS.maxEventValueTotal + 1);
  });

  it('narrows the table with a min/max filter', async () => {
    const store = await openAt(100, 120);
    store.setFilter({ min: 200, max: 299 });
    await settle();
    expect(store.total).toBe(100);
    expect(store.rowAt(0)?.level).toBe(200);
    expect(fakeServer.pageRequests.at(-1)).toMatchObject({ min: 200, max: 299 });
  });

  it('holds rows while paused and refreshes when resumed', async () => {
    const store = await openAt(0, 20);
    store.setPaused(true);
    fakeServer.commit(fakeServer.levels.filter((level) => level !== 1));
    await settle();
    expect(store.behind).toBe(true);
    expect(store.rowAt(0)?.level).toBe(1);
    store.setPaused(false);
    await settle();
    expect(store.behind).toBe(false);
    expect(store.rowAt(0)?.level).toBe(2);
  });

  it('re-joins and re-fetches after a reconnect', async () => {
    const store = await openAt(0, 20);
    // Changes made while disconnected never arrive as messages.
    fakeServer.version += 5;
    fakeServer.levels = fakeServer.levels.slice(3);
    fakeServer.reconnect();
    await settle();
    expect(store.counts?.version).toBe(6);
    expect(store.windowVersion).toBe(6);
    expect(store.rowAt(0)?.level).toBe(4);
  });

  it('marks a deleted event', async () => {
    const store = await openAt(0, 20);
    fakeServer.commit([], 'event-deleted');
    await settle();
    expect(store.status).toBe('deleted');
  });
});
