/**
 * `pnpm bench:web`: the levels page in headless Chromium against one gateway replica (MariaDB),
 * on an event of 10,000 tickets (about 5M levels). Measures navigation to first rows painted,
 * long tasks (> 50 ms) during a 10 s scroll across the whole table and during 100 changes/s for
 * 20 s, the JS heap after both, and commit-to-paint p50/p99. The baseline is the same page doing
 * the same work with live updates paused (counts still move, the table is not re-fetched), so the
 * difference is the cost of keeping the table live. Figures go into docs/benchmarks.md.
 */
import { chromium, type CDPSession, type Page } from '@playwright/test';
import {
  PROTOCOL_VERSION,
  type Ack,
  type AuthResponse,
  type ClientToServerEvents,
  type LevelPage,
  type ReservationView,
  type ServerToClientEvents,
} from '@tickets/protocol';
import { io, type Socket } from 'socket.io-client';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Api } from '../e2e/support/api';
import { startCluster } from '../e2e/support/cluster';
import { REPO_ROOT } from '../e2e/support/paths';

const TICKETS = 10_000;
const MAX_VALUE = 1000;
const SCROLL_MS = 10_000;
const CHANGES_PER_SECOND = 100;
const CHANGES_MS = 20_000;
const NAVIGATIONS = 5;
const GOALS = { firstRowsMs: 1000, longTasks: 0, heapMb: 50, commitToPaintP99Ms: 250 };

interface PhaseResult {
  /** Share of the phase's wall time the page's main thread was busy (CDP TaskDuration). */
  busy: number;
  longTasks: number;
  longestTaskMs: number;
  heapMb: number;
  commitToPaint: {
    count: number;
    p50: number;
    p99: number;
    /** Commit → `inventory:changed` handled by the page (gateway, feed, broadcast interval, socket). */
    toPage: { p50: number; p99: number };
    /** Message handled → rows painted (frame, `levels:page` round trip, render, paint). */
    inPage: { p50: number; p99: number };
  } | null;
  changesSent: number;
  /** Changes per second actually committed (answered) during the phase. */
  changeRate?: number;
  /** `levels:page` round trips of a second client during the changes, ms. */
  roundTrip?: { p50: number; p99: number };
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

interface BenchState {
  longTasks: { start: number; duration: number }[];
  /** Per change: commit → message in the page, and message → rows painted, ms. */
  paints: { toPage: number; inPage: number }[];
  /** When the first level row was painted (Element Timing), ms since navigation. */
  firstRow: number | null;
}

declare global {
  interface Window {
    __bench: BenchState;
  }
}

/** Installed before the app: collects long tasks, the first painted row, and commit-to-paint marks. */
function instrument(): void {
  const bench: BenchState = { longTasks: [], paints: [], firstRow: null };
  window.__bench = bench;
  const { longTasks, paints } = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const element = entry as PerformanceEntry & { renderTime: number; loadTime: number };
      if (bench.firstRow === null) bench.firstRow = element.renderTime || element.loadTime || entry.startTime;
    }
  }).observe({ type: 'element', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name !== 'levels:commits-painted') continue;
      const detail = (entry as PerformanceMark).detail as {
        commits: { committedAt: number; receivedAt: number }[];
        paintedAt: number;
      };
      for (const commit of detail.commits) {
        paints.push({
          toPage: commit.receivedAt - commit.committedAt,
          inPage: detail.paintedAt - commit.receivedAt,
        });
      }
    }
  }).observe({ type: 'mark', buffered: true });
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  return usage.usedSize / 1024 / 1024;
}

/** Seconds the renderer's main thread has spent in tasks so far. */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? Number.NaN;
}

async function longTasksSince(page: Page, since: number): Promise<{ count: number; longest: number }> {
  return page.evaluate((start) => {
    const bench = window.__bench;
    const tasks = bench.longTasks.filter((task) => task.start >= start);
    return { count: tasks.length, longest: Math.max(0, ...tasks.map((task) => task.duration)) };
  }, since);
}

/** Scrolls the grid from top to bottom in `ms`, one step per frame, the way a scrollbar drag does. */
async function scrollWholeTable(page: Page, ms: number): Promise<void> {
  // A string, not a function: tsx would wrap the inner named function with a helper the page lacks.
  await page.evaluate(`new Promise((resolve) => {
    const grid = document.querySelector('[role="grid"]');
    const max = grid.scrollHeight - grid.clientHeight;
    const start = performance.now();
    const step = () => {
      const t = Math.min(1, (performance.now() - start) / ${ms});
      grid.scrollTop = t * max;
      if (t < 1) requestAnimationFrame(step);
      else resolve();
    };
    requestAnimationFrame(step);
  })`);
}

/**
 * The floor for the scroll: a bare page with the same grid structure and size (sticky header,
 * capped spacer, one element per visible row) whose scroll handler only writes synthetic row
 * text, with no Vue, no store, no fetching. What it costs is the browser's own share.
 */
const BARE_GRID_HTML = `<!doctype html><html><body style="margin:0;font-family:system-ui">
<div role="grid" style="height:558px;width:1068px;overflow-y:auto;position:relative;border:1px solid #ccc">
<div style="position:sticky;top:0;z-index:1;height:36px;background:#f2f4f7">Level · Count · Tickets</div>
<div id="layer" style="position:sticky;top:36px;height:520px;overflow:hidden;contain:strict"><div id="rows"></div></div>
<div id="spacer"></div></div>
<script>
const ROWS = 5000000, H = 36, VIEW = 520, CAP = 8000000;
const grid = document.querySelector('[role=grid]'), rowsEl = document.getElementById('rows');
document.getElementById('spacer').style.height = (CAP - VIEW) + 'px';
const cells = [];
for (let i = 0; i < Math.ceil(VIEW / H) + 1; i++) {
  const row = document.createElement('div');
  row.style.cssText = 'display:grid;grid-template-columns:8rem 4.5rem 1fr 7rem;height:36px;align-items:center;padding:0 12px;border-bottom:1px solid #eee';
  const spans = [0, 1, 2, 3].map(() => row.appendChild(document.createElement('span')));
  rowsEl.appendChild(row);
  cells.push(spans);
}
const format = new Intl.NumberFormat('en-US');
const render = () => {
  const position = (grid.scrollTop / (CAP - VIEW)) * (ROWS * H - VIEW);
  const first = Math.floor(position / H);
  rowsEl.style.transform = 'translateY(' + -(position - first * H) + 'px)';
  cells.forEach((spans, i) => {
    spans[0].textContent = format.format(first + i + 1);
    spans[1].textContent = String(((first + i) % 20) + 1);
    spans[2].textContent = '#' + (first + i) + ', #' + (first + i + 7) + ', #' + (first + i + 13);
    spans[3].textContent = 'Reserve';
  });
};
grid.addEventListener('scroll', render);
render();
</script></body></html>`;

async function bareScroll(page: Page, cdp: CDPSession): Promise<PhaseResult> {
  await page.setContent(BARE_GRID_HTML);
  if (!(await page.evaluate(() => 'longTasks' in (window.__bench ?? {})))) await page.evaluate(instrument);
  const start = await page.evaluate(() => performance.now());
  const busyStart = await taskSeconds(cdp);
  const wallStart = Date.now();
  await scrollWholeTable(page, SCROLL_MS);
  const busy = ((await taskSeconds(cdp)) - busyStart) / ((Date.now() - wallStart) / 1000);
  const tasks = await longTasksSince(page, start);
  return {
    busy,
    longTasks: tasks.count,
    longestTaskMs: tasks.longest,
    heapMb: await heapMb(cdp),
    commitToPaint: null,
    changesSent: 0,
  };
}

/**
 * Times \`levels:page\` round trips from a second client of the same replica every 100 ms while
 * \`work\` runs: how long the gateway itself takes to answer the page's requests under the load.
 */
async function probeRoundTrips<T>(
  url: string,
  token: string,
  eventId: number,
  work: Promise<T>,
): Promise<{ result: T; p50: number; p99: number }> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token, protocolVersion: PROTOCOL_VERSION },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const times: number[] = [];
  let done = false;
  let probeError: unknown = null;
  const probing = (async () => {
    while (!done) {
      const started = performance.now();
      const answered = await new Promise<boolean>((resolve) =>
        socket
          .timeout(5000)
          .emit(
            'levels:page',
            { eventId, offset: 0, limit: 230 },
            (error: Error | null, response: Ack<LevelPage>) => resolve(!error && response.ok),
          ),
      );
      if (!answered) throw new Error('levels:page probe got no answer within 5 s (is the replica alive?)');
      times.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })().catch((error: unknown) => {
    probeError = error;
  });
  try {
    const result = await work;
    if (probeError !== null) throw probeError;
    return {
      result,
      p50: percentile(
        times.sort((a, b) => a - b),
        50,
      ),
      p99: percentile(times, 99),
    };
  } finally {
    done = true;
    await probing;
    socket.disconnect();
  }
}

/** Changes per second the last `sendChanges` achieved (the gateway answers at most this fast). */
let changeRate = 0;

/** Reserves and cancels small levels at a fixed rate through the REST API, as another user would. */
async function sendChanges(api: Api, eventId: number, perSecond: number, ms: number): Promise<number> {
  let sent = 0;
  let inFlight = 0;
  const held: ReservationView[] = [];
  const interval = 1000 / perSecond;
  const started = Date.now();
  const failures: unknown[] = [];
  while (Date.now() - started < ms) {
    const due = started + sent * interval;
    if (Date.now() < due) {
      await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      continue;
    }
    if (inFlight >= 50) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    sent += 1;
    inFlight += 1;
    const work =
      held.length > 20 || (held.length > 0 && sent % 2 === 0)
        ? api.cancel((held.shift() as ReservationView).id)
        : api
            .reserve(eventId, 1 + Math.floor(Math.random() * 2000))
            .then((reservation) => void held.push(reservation));
    void work.catch((error: unknown) => failures.push(error)).finally(() => (inFlight -= 1));
  }
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  for (const reservation of held) await api.cancel(reservation.id);
  changeRate = sent / ((Date.now() - started) / 1000);
  if (failures.length > sent / 10)
    throw new Error(`${failures.length} of ${sent} changes failed: ${String(failures[0])}`);
  return sent;
}

async function runPhases(
  page: Page,
  cdp: CDPSession,
  api: Api,
  eventId: number,
  paused: boolean,
  probeUrl: string,
  probeToken: string,
): Promise<{ scroll: PhaseResult; changes: PhaseResult }> {
  const pause = page.getByTestId('pause-live');
  if ((await pause.isChecked()) !== paused) await pause.setChecked(paused);
  const scrollStart = await page.evaluate(() => performance.now());
  const scrollBusyStart = await taskSeconds(cdp);
  const scrollWallStart = Date.now();
  await scrollWholeTable(page, SCROLL_MS);
  const scrollBusy = (await taskSeconds(cdp)) - scrollBusyStart;
  const scrollWall = (Date.now() - scrollWallStart) / 1000;
  const scrollTasks = await longTasksSince(page, scrollStart);
  const scrollHeap = await heapMb(cdp);
  // Back to the top: changes to small levels land in view.
  await page.evaluate(() => document.querySelector<HTMLElement>('[role="grid"]')?.scrollTo({ top: 0 }));
  await page.evaluate(() => (window.__bench.paints.length = 0));
  const changesStart = await page.evaluate(() => performance.now());
  const changesBusyStart = await taskSeconds(cdp);
  const changesWallStart = Date.now();
  const probe = await probeRoundTrips(
    probeUrl,
    probeToken,
    eventId,
    sendChanges(api, eventId, CHANGES_PER_SECOND, CHANGES_MS),
  );
  const changesSent = probe.result;
  const achievedRate = changeRate;
  await page.waitForTimeout(1000);
  const changesBusy = (await taskSeconds(cdp)) - changesBusyStart;
  const changesWall = (Date.now() - changesWallStart) / 1000;
  const changeTasks = await longTasksSince(page, changesStart);
  const parts = await page.evaluate(() => window.__bench.paints.slice());
  const sorted = (values: number[]): number[] => values.sort((a, b) => a - b);
  const paints = sorted(parts.map((part) => part.toPage + part.inPage));
  const toPage = sorted(parts.map((part) => part.toPage));
  const inPage = sorted(parts.map((part) => part.inPage));
  const changesHeap = await heapMb(cdp);
  return {
    scroll: {
      busy: scrollBusy / scrollWall,
      longTasks: scrollTasks.count,
      longestTaskMs: scrollTasks.longest,
      heapMb: scrollHeap,
      commitToPaint: null,
      changesSent: 0,
    },
    changes: {
      busy: changesBusy / changesWall,
      longTasks: changeTasks.count,
      longestTaskMs: changeTasks.longest,
      heapMb: changesHeap,
      commitToPaint:
        paints.length > 0
          ? {
              count: paints.length,
              p50: percentile(paints, 50),
              p99: percentile(paints, 99),
              toPage: { p50: percentile(toPage, 50), p99: percentile(toPage, 99) },
              inPage: { p50: percentile(inPage, 50), p99: percentile(inPage, 99) },
            }
          : null,
      changesSent,
      changeRate: achievedRate,
      roundTrip: { p50: probe.p50, p99: probe.p99 },
    },
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0];
  const cluster = await startCluster({ replicas: 1, redis: false });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const admin = await new Api(cluster.replicas[0].url).signIn(cluster.admin.email, cluster.admin.password);
    const event = await admin.createEvent('Benchmark');
    process.stdout.write(`[bench:web] creating ${TICKETS} tickets…\n`);
    await admin.bulkTickets(event.id, { count: TICKETS, minValue: 1, maxValue: MAX_VALUE });
    const levels = (await admin.levels(event.id, { limit: 1 })).total;
    const viewer = await admin.registerAttendee('Viewer');
    const writer = await admin.registerAttendee('Writer');
    const context = await browser.newContext({
      baseURL: cluster.replicas[0].url,
      viewport: { width: 1280, height: 900 },
    });
    await context.addInitScript(instrument);
    await context.addInitScript(
      (session) => window.localStorage.setItem('tickets.session', session),
      JSON.stringify({ accessToken: viewer.auth.accessToken, user: viewer.auth.user } satisfies Pick<
        AuthResponse,
        'accessToken' | 'user'
      >),
    );
    const page = await context.newPage();
    // One DevTools session for the whole run: its Performance domain counts the main thread's task time.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    process.stdout.write(
      `[bench:web] ${levels.toLocaleString('en-US')} levels; navigation to first rows ×${NAVIGATIONS}…\n`,
    );
    const firstRows: number[] = [];
    for (let run = 0; run < NAVIGATIONS; run += 1) {
      await page.goto(run === 0 ? `/events/${event.id}` : `/events/${event.id}?run=${run}`);
      await page.waitForFunction(() => window.__bench.firstRow !== null, null, { timeout: 30_000 });
      firstRows.push(await page.evaluate(() => window.__bench.firstRow ?? Number.NaN));
    }
    firstRows.sort((a, b) => a - b);

    process.stdout.write('[bench:web] baseline: live updates paused…\n');
    const baseline = await runPhases(
      page,
      cdp,
      writer.api,
      event.id,
      true,
      cluster.replicas[0].url,
      viewer.auth.accessToken,
    );
    process.stdout.write('[bench:web] live…\n');
    const live = await runPhases(
      page,
      cdp,
      writer.api,
      event.id,
      false,
      cluster.replicas[0].url,
      viewer.auth.accessToken,
    );
    process.stdout.write('[bench:web] bare grid scroll…\n');
    const bare = await bareScroll(page, cdp);
    const report = {
      load: { start: loadAtStart, end: loadavg()[0] },
      levels,
      firstRows: { median: percentile(firstRows, 50), max: firstRows[firstRows.length - 1] },
      baseline,
      live,
      bare,
      chromium: browser.version(),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    writeSection(report);
  } catch (error) {
    process.stderr.write(`[bench:web] gateway log:\n${cluster.replicas[0].logText()}\n`);
    throw error;
  } finally {
    await browser.close();
    await cluster.stop();
  }
}

interface Report {
  /** The machine's 1-minute load average when the run started and when it ended (other work shares the cores). */
  load: { start: number; end: number };
  levels: number;
  firstRows: { median: number; max: number };
  baseline: { scroll: PhaseResult; changes: PhaseResult };
  live: { scroll: PhaseResult; changes: PhaseResult };
  bare: PhaseResult;
  chromium: string;
}

/** What limits the figures: the reasoning comes from CPU profiles of this benchmark; the numbers from this run. */
function limits(report: Report): string[] {
  const { live, bare } = report;
  const c2p = live.changes.commitToPaint;
  const noise = Math.abs(live.scroll.busy - report.baseline.scroll.busy);
  return [
    `Noise: the live and paused scrolls are the same work (no changes arrive during them); in this run they differ by ${pct(noise)} of main-thread time and by ${Math.abs(live.scroll.longTasks - report.baseline.scroll.longTasks)} long task(s). Differences of that size are the shared machine, not the code; figures move between runs by as much (commit-to-paint p99 from about 0.2 to 0.8 s, long tasks from 0 to 8 per phase, over the runs made while writing this benchmark).`,
    '',
    'What limits the result:',
    '',
    `- **Scroll**: the page's main thread was busy ${pct(live.scroll.busy)} of the scroll, the bare grid's ${pct(bare.busy)}: the bare grid's share is the browser laying out and painting a new screenful of rows every frame (headless Chromium rasterises in software here); the difference is the app (Vue patching the visible rows, one \`levels:page\` reply at a time). Long tasks come and go between runs on this shared 2-core machine, in the bare grid too.`,
    c2p
      ? `- **Commit-to-paint** has two parts. Commit → message handled in the page (p50/p99 ${ms(c2p.toPage.p50)} / ${ms(c2p.toPage.p99)}) is the gateway's: the feed, the index update, the broadcast interval (50 ms, stretched under load) and the socket write, on a replica that is committing ~${rate(live.changes)} changes meanwhile. Message → rows repainted (${ms(c2p.inPage.p50)} / ${ms(c2p.inPage.p99)}) is the page's: the next animation frame, one \`levels:page\` round trip (a second client saw ${trip(live.changes)} in the same minutes), render and paint; a change that arrives while a fetch for an older version is in flight starts a second fetch at once rather than waiting for it. The page's main thread was ${pct(live.changes.busy)} busy live vs ${pct(report.baseline.changes.busy)} paused.`
      : '- **Commit-to-paint**: no change was painted in this run.',
    '- **First rows**: the first navigation loads and compiles the bundle cold; the later ones show the steady cost (bundle from cache, socket handshake, then `event:join` and the first `levels:page` sent together).',
    '- **Heap**: one window of at most 500 rows is kept, whatever the size of the table.',
    '',
  ];
}

const ms = (value: number): string => `${Math.round(value)} ms`;
const mb = (value: number): string => `${value.toFixed(1)} MB`;
const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;
const rate = (phase: PhaseResult): string => `${(phase.changeRate ?? 0).toFixed(0)}/s`;
const trip = (phase: PhaseResult): string =>
  phase.roundTrip ? `${ms(phase.roundTrip.p50)} / ${ms(phase.roundTrip.p99)}` : '–';
const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');

function writeSection(report: Report): void {
  const { live, baseline } = report;
  const c2p = live.changes.commitToPaint;
  const heap = Math.max(live.scroll.heapMb, live.changes.heapMb);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Chromium ${report.chromium} headless`;
  const lines = [
    '<!-- web:start -->',
    '## Web: the levels page in a browser (`pnpm bench:web`)',
    '',
    `Written by \`apps/web/bench/web.bench.ts\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}; one gateway replica on MariaDB, the browser and the load generator on the same two cores (shared with other work: 1-minute load average ${report.load.start.toFixed(1)} at the start of the run, ${report.load.end.toFixed(1)} at the end).`,
    `Event: ${TICKETS.toLocaleString('en-US')} tickets (values 1–${MAX_VALUE}), ${report.levels.toLocaleString('en-US')} levels. Baselines in the same run: the same page doing the same work with live updates **paused** (counters move, the table is not re-fetched), and for the scroll a **bare grid**: a static page with the same structure and size whose scroll handler only writes synthetic row text (no Vue, no store, no fetching).`,
    '',
    '| figure | live | paused | bare grid | goal |',
    '| --- | --- | --- | --- | --- |',
    `| navigation → first rows painted (median / max of ${NAVIGATIONS}) | ${ms(report.firstRows.median)} / ${ms(report.firstRows.max)} | – | – | ≤ ${GOALS.firstRowsMs} ms: ${verdict(report.firstRows.median <= GOALS.firstRowsMs)} (median) |`,
    `| ${SCROLL_MS / 1000} s scroll over every row: long tasks (> 50 ms), longest | ${live.scroll.longTasks}, ${ms(live.scroll.longestTaskMs)} | ${baseline.scroll.longTasks}, ${ms(baseline.scroll.longestTaskMs)} | ${report.bare.longTasks}, ${ms(report.bare.longestTaskMs)} | 0: ${verdict(live.scroll.longTasks === 0)} |`,
    `| … main thread busy | ${pct(live.scroll.busy)} | ${pct(baseline.scroll.busy)} | ${pct(report.bare.busy)} | – |`,
    `| changes sent at ${CHANGES_PER_SECOND}/s for ${CHANGES_MS / 1000} s: committed rate | ${rate(live.changes)} | ${rate(baseline.changes)} | – | – |`,
    `| … long tasks, longest | ${live.changes.longTasks}, ${ms(live.changes.longestTaskMs)} | ${baseline.changes.longTasks}, ${ms(baseline.changes.longestTaskMs)} | – | 0: ${verdict(live.changes.longTasks === 0)} |`,
    `| … main thread busy | ${pct(live.changes.busy)} | ${pct(baseline.changes.busy)} | – | – |`,
    `| … \`levels:page\` round trip of a second client, p50 / p99 | ${trip(live.changes)} | ${trip(baseline.changes)} | – | – |`,
    `| JS heap after the scroll / after the changes (after GC) | ${mb(live.scroll.heapMb)} / ${mb(live.changes.heapMb)} | ${mb(baseline.scroll.heapMb)} / ${mb(baseline.changes.heapMb)} | ${mb(report.bare.heapMb)} | ≤ ${GOALS.heapMb} MB: ${verdict(heap <= GOALS.heapMb)} |`,
    `| … commit → message handled in the page, p50 / p99 | ${c2p ? `${ms(c2p.toPage.p50)} / ${ms(c2p.toPage.p99)}` : '–'} | – | – | – |`,
    `| … message handled → rows repainted, p50 / p99 | ${c2p ? `${ms(c2p.inPage.p50)} / ${ms(c2p.inPage.p99)}` : '–'} | – | – | – |`,
    `| commit → row repainted, p50 / p99 (${c2p?.count ?? 0} changes) | ${c2p ? `${ms(c2p.p50)} / ${ms(c2p.p99)}` : 'none measured'} | – | – | p99 ≤ ${GOALS.commitToPaintP99Ms} ms: ${verdict(c2p !== null && c2p.p99 <= GOALS.commitToPaintP99Ms)} |`,
    '',
    ...limits(report),
    '<!-- web:end -->',
  ];
  const path = join(REPO_ROOT, 'docs/benchmarks.md');
  const doc = readFileSync(path, 'utf8');
  const section = lines.join('\n');
  const start = doc.indexOf('<!-- web:start -->');
  const end = doc.indexOf('<!-- web:end -->');
  const next =
    start >= 0 && end > start
      ? `${doc.slice(0, start)}${section}${doc.slice(end + '<!-- web:end -->'.length)}`
      : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
  process.stdout.write(`[bench:web] figures written into ${path}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
