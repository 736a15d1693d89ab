import { join } from 'node:path';
import { IndexFailure } from './index-messages';
import { WorkerIndexHost } from './worker-index-host';

/** The tickets of an event as the database would hand them over: ids 1..n with values 1..1000. */
function columns(version: number, count: number, seed = 1) {
  const ids = new Float64Array(count);
  const values = new Float64Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    ids[i] = i + 1;
    values[i] = 1 + (state % 1000);
  }
  return { version, ids, values };
}

const exitingWorker = {
  file: join(__dirname, '../../../test/support/exiting-index-worker.ts'),
  execArgv: ['--require', 'tsx/cjs'],
};

/** Real worker threads (the gateway's code run through tsx). */
describe('WorkerIndexHost', () => {
  let host: WorkerIndexHost;
  afterEach(async () => host?.close());

  it('builds, pages, combines and applies changes in worker threads, answering each event in order', async () => {
    host = new WorkerIndexHost(2);
    const loaded = await host.load(1, {
      version: 3,
      ids: Float64Array.from([1, 2, 3]),
      values: Float64Array.from([1, 2, 4]),
    });
    expect(loaded).toMatchObject({ version: 3, levelCount: 7 });
    const combo = await host.combo(1, 6);
    expect(combo.version).toBe(3);
    expect(Array.from(combo.ticketIds!)).toEqual([2, 3]);
    // Sent back to back: the page must see the apply before it.
    const [applied, page] = await Promise.all([
      host.apply(1, { version: 4, removed: [3], addedIds: [9], addedValues: [8] }),
      host.page(1, { offset: 0, limit: 10 }),
    ]);
    expect(applied).toMatchObject({ version: 4, levelCount: 7 });
    expect(page).toEqual({ version: 4, page: { total: 7, rows: expect.any(Array) } });
    expect(page.page.rows.map((row) => row.level)).toEqual([1, 2, 3, 8, 9, 10, 11]);
    await expect(host.combo(1, 4)).resolves.toEqual({ version: 4, ticketIds: null });
  });

  it('refuses a change that does not fit (and forgets that index), and commands for an event it does not hold', async () => {
    host = new WorkerIndexHost(1);
    await host.load(1, { version: 1, ids: Float64Array.from([1]), values: Float64Array.from([5]) });
    await expect(
      host.apply(1, { version: 2, removed: [42], addedIds: [], addedValues: [] }),
    ).rejects.toMatchObject({
      kind: 'inconsistent',
    });
    await expect(host.page(1, { offset: 0, limit: 1 })).rejects.toMatchObject({ kind: 'not-loaded' });
    await expect(host.combo(2, 1)).rejects.toMatchObject({ kind: 'not-loaded' });
    await host.load(1, { version: 1, ids: Float64Array.from([1]), values: Float64Array.from([5]) });
    await expect(
      host.apply(1, { version: 3, removed: [1], addedIds: [], addedValues: [] }),
    ).rejects.toMatchObject({
      kind: 'inconsistent',
    });
    await host.load(2, { version: 0, ids: new Float64Array(0), values: new Float64Array(0) });
    await expect(host.page(2, { offset: -1, limit: 1 })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('rebuilds an event on another worker while the old index answers reads, then moves it there', async () => {
    host = new WorkerIndexHost(2);
    await host.load(1, columns(10, 2000));
    const rebuilt = host.load(1, columns(11, 60_000, 7));
    // Posted after the load: answered by the old index on the other worker, at the old version.
    const during = await host.page(1, { offset: 0, limit: 3 });
    expect(during.version).toBe(10);
    await expect(rebuilt).resolves.toMatchObject({ version: 11 });
    expect((await host.page(1, { offset: 0, limit: 3 })).version).toBe(11);
    expect(host.memoryByWorker().filter((bytes) => bytes > 0)).toHaveLength(1);
  });

  it('when a worker dies, fails what it owed, reports its events lost, and replaces it', async () => {
    host = new WorkerIndexHost(1, exitingWorker);
    const lost: number[][] = [];
    host.onLost((eventIds) => lost.push(eventIds));
    await host.load(7, columns(1, 100));
    await host.load(-1, columns(1, 0));
    const owed = host.combo(7, 1);
    const death = host.drop(-1).catch(() => undefined);
    await expect(owed).resolves.toMatchObject({ version: 1 });
    await death;
    await expect(host.page(7, { offset: 0, limit: 1 })).rejects.toBeInstanceOf(IndexFailure);
    expect(lost).toEqual([[7]]);
    await expect(host.load(7, columns(2, 100))).resolves.toMatchObject({ version: 2 });
  });
});
