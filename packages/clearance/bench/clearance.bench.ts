/**
 * `pnpm bench`: measures the clearance index against its baselines in one process and writes
 * the figures into docs/benchmarks.md (between the clearance markers). Run with --expose-gc.
 */
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ClearanceIndex, type Ticket } from '../src';
import { legacyLevels, memoryFloor, textbookBitsetLevels } from './baselines';
import { describeMachine } from './machine';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Deterministic tickets: ids 1..n, values uniform in 1..maxValue (xorshift32). */
function randomTickets(n: number, maxValue: number, seed: number): Ticket[] {
  let x = seed >>> 0 || 1;
  const tickets: Ticket[] = [];
  for (let id = 1; id <= n; id++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    tickets.push({ id, value: 1 + ((x >>> 0) % maxValue) });
  }
  return tickets;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Median wall time in ms of one run, over `reps` samples after `warmup` unmeasured runs; each
 * sample times `batch` back-to-back runs, so that sub-millisecond work is not lost in timer noise.
 */
function median(reps: number, run: () => unknown, warmup = 1, batch = 1): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    // A full collection before a batch of tiny runs would bill its aftermath to them.
    if (batch === 1) gc();
    const start = nowMs();
    for (let j = 0; j < batch; j++) run();
    times.push((nowMs() - start) / batch);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface Row {
  what: string;
  measured: string;
  goal: string;
  ok: boolean;
}
const rows: Row[] = [];
function report(what: string, measured: string, goal: string, ok: boolean): void {
  rows.push({ what, measured, goal, ok });
  console.log(`${ok ? 'PASS' : 'MISS'}  ${what}: ${measured}  (goal: ${goal})`);
}
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const ratio = (x: number) => `${x >= 100 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(1) : x.toPrecision(2)}×`;

// 1. Seed scale against the earlier implementation.
{
  const tickets = randomTickets(220, 150, 1);
  const ours = median(21, () => ClearanceIndex.build(tickets), 200, 100);
  const legacy = median(5, () => legacyLevels(tickets));
  const index = ClearanceIndex.build(tickets);
  const legacySize = legacyLevels(tickets).size;
  if (legacySize !== index.size) throw new Error(`level counts differ: ${legacySize} vs ${index.size}`);
  report(
    `1. build, 220 tickets 1..150 (${index.size.toLocaleString('en')} levels) vs per-level id arrays`,
    `${fmt(ours)} vs ${fmt(legacy)} = ${ratio(legacy / ours)} faster`,
    '≥ 1000×',
    legacy / ours >= 1000,
  );
}

// 2–4. 10,000 tickets, values 1..1000.
const mid = randomTickets(10_000, 1000, 2);
const midTotal = mid.reduce((a, t) => a + t.value, 0);
const midIndex = ClearanceIndex.build(mid);
{
  const ours = median(9, () => ClearanceIndex.build(mid), 2);
  const textbook = median(3, () => textbookBitsetLevels(mid), 1);
  const floor = median(9, () => memoryFloor(midTotal), 2);
  let reachable = 0;
  const { bits } = textbookBitsetLevels(mid);
  for (let s = 1; s <= midTotal; s++) if ((bits[s >>> 5] >>> (s & 31)) & 1) reachable++;
  if (reachable !== midIndex.size) throw new Error(`level counts differ: ${reachable} vs ${midIndex.size}`);
  report(
    `2a. build, 10,000 tickets 1..1000 (${midIndex.size.toLocaleString('en')} levels) vs textbook bitset DP`,
    `${fmt(ours)} vs ${fmt(textbook)} = ${ratio(textbook / ours)} faster`,
    '≥ 10×',
    textbook / ours >= 10,
  );
  report(
    '2b. same build vs memory floor (fill + read an Int32Array of the total)',
    `${fmt(ours)} vs ${fmt(floor)} = ${ratio(ours / floor)} of the floor`,
    '≤ 10×',
    ours / floor <= 10,
  );
  const bytesPerSum = midIndex.memoryBytes() / (midTotal + 1);
  report(
    '2c. memory of that index',
    `${(midIndex.memoryBytes() / 2 ** 20).toFixed(1)} MiB = ${bytesPerSum.toFixed(2)} bytes per possible sum`,
    '≤ ~4.5 bytes per possible sum + O(tickets)',
    bytesPerSum <= 4.5,
  );

  // 3. A reservation-sized change: remove 5 random tickets, add 1, then query. `size` needs only the
  // reachable set; a page in the middle needs the witnesses there too (the worst case).
  const changeThen = (query: (index: ClearanceIndex) => unknown, pickEarliest: boolean): number[] => {
    let nextId = 20_000;
    let x = 99;
    const times: number[] = [];
    for (let rep = 0; rep < 9; rep++) {
      const index = ClearanceIndex.build(mid);
      const removed: number[] = [];
      while (removed.length < 5) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        const id = pickEarliest ? removed.length + 1 : 1 + (x % mid.length);
        if (!removed.includes(id)) removed.push(id);
      }
      gc();
      const start = nowMs();
      for (const id of removed) index.remove(id);
      index.add({ id: nextId++, value: 1 + (x % 1000) });
      query(index);
      times.push(nowMs() - start);
    }
    return times.sort((a, b) => a - b);
  };
  const middlePage = (index: ClearanceIndex) =>
    index.page({ offset: Math.floor(index.size / 2), limit: 100, maxIds: 20 });
  for (const [label, query, earliest] of [
    ['then a 100-row page in the middle', middlePage, false],
    ['then size (the levelCount a live update carries)', (index: ClearanceIndex) => index.size, false],
    ["of the 5 lowest ids (a low level's witness), then size", (index: ClearanceIndex) => index.size, true],
  ] as const) {
    const times = changeThen(query, earliest);
    const change = times[Math.floor(times.length / 2)];
    report(
      `3. change (remove 5, add 1) ${label}, vs one build`,
      `${fmt(change)} vs ${fmt(ours)} = ${ratio(change / ours)} of a build (worst of 9: ${fmt(times[8])})`,
      '≤ 2×',
      change / ours <= 2,
    );
  }
}
{
  const size = midIndex.size;
  let x = 7;
  const ks = new Int32Array(1_000_000);
  for (let i = 0; i < ks.length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    ks[i] = x % size;
  }
  let sink = 0;
  const levelAt = median(5, () => {
    for (let i = 0; i < ks.length; i++) sink += midIndex.levelAt(ks[i]);
  });
  report('4a. 1,000,000 random levelAt calls', fmt(levelAt), '< 200 ms', levelAt < 200);
  let worstPage = 0;
  const offsets = [
    0,
    Math.floor(size / 4),
    Math.floor(size / 2) - 50,
    Math.floor((3 * size) / 4),
    size - 100,
  ];
  for (let i = 0; i < 20; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    offsets.push(x % (size - 100));
  }
  for (const offset of offsets) {
    const t = median(5, () => midIndex.page({ offset, limit: 100, maxIds: 20 }));
    worstPage = Math.max(worstPage, t);
  }
  const middleRow = midIndex.page({ offset: Math.floor(size / 2), limit: 1, maxIds: 20 }).rows[0];
  report(
    `4b. 100-row page, maxIds 20, worst median of ${offsets.length} offsets (middle rows hold ${middleRow.ticketCount.toLocaleString('en')} tickets)`,
    fmt(worstPage),
    '< 2 ms',
    worstPage < 2,
  );
  if (sink === 0.5) console.log(sink);
}

// 5. 100,000 tickets, values 1..1000.
{
  const big = randomTickets(100_000, 1000, 3);
  gc();
  const before = process.memoryUsage();
  const start = nowMs();
  const index = ClearanceIndex.build(big);
  const build = nowMs() - start;
  gc();
  const after = process.memoryUsage();
  const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  report(
    `5. build, 100,000 tickets 1..1000 (${index.size.toLocaleString('en')} levels)`,
    `${fmt(build)}, ${(grown / 2 ** 20).toFixed(0)} MiB (index reports ${(index.memoryBytes() / 2 ** 20).toFixed(0)} MiB)`,
    '< 2 s and < 300 MB',
    build < 2000 && grown < 300e6,
  );
  // What a replica does when an admin bulk-creates tickets: one add per ticket (ids ascending, as
  // the database assigns them), then one query.
  const addStart = nowMs();
  const grownOne = ClearanceIndex.build([]);
  for (const ticket of [...big].sort((a, b) => a.id - b.id)) grownOne.add(ticket);
  const levels = grownOne.size;
  const added = nowMs() - addStart;
  report(
    `5b. the same 100,000 tickets added one by one to an empty index, then size (${levels === index.size ? 'same' : 'DIFFERENT'} levels), vs that build`,
    `${fmt(added)} vs ${fmt(build)} = ${ratio(added / build)} of a build`,
    '≤ 2×',
    added / build <= 2 && levels === index.size,
  );
}

const machine = describeMachine();
const date = new Date().toISOString().slice(0, 10);
const table = [
  '| measurement | result | goal | met |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.what} | ${r.measured} | ${r.goal} | ${r.ok ? 'yes' : '**no**'} |`),
].join('\n');
const section = [
  '<!-- clearance:start -->',
  '## Clearance engine (`pnpm bench`)',
  '',
  `Machine: ${machine}. Run on ${date}. Each ratio is measured side by side in one process;`,
  'times are medians of repeated runs after warm-up. Baselines live in',
  '`packages/clearance/bench/baselines.ts`.',
  '',
  table,
  '<!-- clearance:end -->',
].join('\n');

const docPath = path.resolve(__dirname, '../../../docs/benchmarks.md');
mkdirSync(path.dirname(docPath), { recursive: true });
let doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
const pattern = /<!-- clearance:start -->[\s\S]*<!-- clearance:end -->/;
doc = pattern.test(doc) ? doc.replace(pattern, section) : `${doc.trimEnd()}\n\n${section}\n`;
writeFileSync(docPath, doc);
console.log(`\nwritten to ${path.relative(process.cwd(), docPath)}`);
if (rows.some((r) => !r.ok)) process.exitCode = 1;
