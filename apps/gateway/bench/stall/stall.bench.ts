/**
 * `pnpm bench:stall`: does any single request hold a replica's event loop? One replica on its
 * embedded default (SQLite in a fresh DATA_DIR) gets one heavy request at a time (scenarios.ts)
 * while a separate process probes `GET /api/healthz` back to back; each scenario reports the
 * prober's longest wait and the replica's own event-loop max delay (`GET /metrics`), next to the
 * same figures over an idle window of the same length (the floor). See README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureGatewayBuilt, freePort, GatewayReplica, readProcKb } from '../../test/cluster/gateway-process';
import { TEST_GATEWAY_ENV } from '../../test/support/test-env';
import { writeSection } from '../common/benchmarks-doc';
import { forkTs, nextMessage, stopChild } from '../common/child-process';
import { Cleanups, logger, otherWorkCores, runBenchmark, setting, sleep } from '../common/run';
import type { FromProber, ProbeResult, ToProber } from './prober-messages';
import { markdownSection, printTable, SECTION, type ScenarioRow, type WindowFigures } from './report';
import { buildScenarios, setUp, type Scenario, type StallContext, type StallSettings } from './scenarios';

const settings: StallSettings = {
  tickets: setting('BENCH_TICKETS', 100_000),
  explicitTickets: setting('BENCH_EXPLICIT_TICKETS', 100_000),
  bodies: setting('BENCH_BODIES', 20),
  bodyKeys: setting('BENCH_BODY_KEYS', 100_000),
  nearAllFraction: setting('BENCH_NEAR_ALL', 0.997),
  scenarioTimeoutS: setting('BENCH_SCENARIO_TIMEOUT_S', 60),
  tailMs: setting('BENCH_TAIL_MS', 1_000, { zeroAllowed: true }),
  idleMaxS: setting('BENCH_IDLE_MAX_S', 10, { zeroAllowed: true }),
  machineFloorS: setting('BENCH_MACHINE_FLOOR_S', 10, { zeroAllowed: true }),
};
const timeoutS = setting('BENCH_TIMEOUT_S', 900);
/** BENCH_WRITE=0 prints the table without touching docs/benchmarks.md. */
const writeDoc = process.env.BENCH_WRITE !== '0';
/** A scenario's goal: neither the prober nor the replica's loop waits longer than this. */
const GOAL_MS = 20;

const cleanups = new Cleanups();
const log = logger('bench:stall');

/** The one replica, restartable on the same DATA_DIR and port (a cold start, or recovery from a stuck loop). */
class StallReplica {
  private current: GatewayReplica | null = null;
  readonly url: string;
  // Generated per run: nothing secret lives in the repository. Fixed for the run so that tokens survive restarts.
  private readonly jwtSecret = randomBytes(32).toString('hex');
  readonly admin = {
    email: `admin-${randomBytes(3).toString('hex')}@stall.test`,
    password: randomBytes(12).toString('hex'),
  };

  private constructor(
    private readonly port: number,
    private readonly dataDir: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async create(): Promise<StallReplica> {
    ensureGatewayBuilt();
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-stall-'));
    cleanups.add(async () => rmSync(dataDir, { recursive: true, force: true }));
    const replica = new StallReplica(await freePort(), dataDir);
    cleanups.add(() => replica.current?.stop() ?? Promise.resolve());
    return replica;
  }

  get pid(): number | undefined {
    return this.current?.pid;
  }

  logs(): string {
    return this.current?.logs() ?? '';
  }

  /** Starts the process (stopping a running one first: SIGTERM, or SIGKILL with `kill`); resolves when ready, with the ms it took. */
  async start({ kill = false } = {}): Promise<number> {
    if (this.current) await (kill ? this.current.crash() : this.current.stop());
    const started = performance.now();
    this.current = new GatewayReplica('stall', this.port, {
      DATA_DIR: this.dataDir,
      // The embedded default even when the caller's environment names a server database or Redis.
      DATABASE_URL: '',
      REDIS_URL: '',
      SEED_DEMO: 'false',
      ADMIN_EMAIL: this.admin.email,
      ADMIN_PASSWORD: this.admin.password,
      JWT_SECRET: this.jwtSecret,
      ...TEST_GATEWAY_ENV,
    });
    await this.current.waitForReady(120_000);
    return performance.now() - started;
  }
}

/** The prober process, driven window by window. */
class Prober {
  private readonly child = forkTs(resolve(__dirname, 'healthz-prober.ts'));

  constructor() {
    cleanups.add(() => stopChild(this.child));
  }

  async start(url: string): Promise<void> {
    const started = nextMessage<FromProber, 'started'>(this.child, 'started', 60_000);
    this.child.send({ type: 'start', url } satisfies ToProber);
    await started;
  }

  async stop(): Promise<ProbeResult> {
    const result = nextMessage<FromProber, 'result'>(this.child, 'result', 10_000);
    this.child.send({ type: 'stop' } satisfies ToProber);
    return (await result).result;
  }
}

/**
 * The replica's event-loop max delay since the previous scrape, ms (prom-client's
 * `nodejs_eventloop_lag_max_seconds`); null when the replica has no `/metrics` route (yet),
 * undefined when the scrape got no answer.
 */
async function scrapeLoopMaxMs(url: string, timeoutMs = 10_000): Promise<number | null | undefined> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    if (response.status === 404) return null;
    const match = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})?\s+(\S+)(?:\s+\d+)?$/m.exec(text);
    return match ? Number(match[1]) * 1000 : null;
  } catch {
    return undefined;
  }
}

/** One measuring window: the prober and the loop figure around `during` (which may be plain waiting). */
async function measureWindow<T>(
  replica: StallReplica,
  prober: Prober,
  during: () => Promise<T>,
): Promise<{ value: T; figures: WindowFigures }> {
  await prober.start(replica.url);
  const before = await scrapeLoopMaxMs(replica.url);
  const windowStart = performance.now();
  const value = await during();
  const loopMaxMs = before === null ? null : await scrapeLoopMaxMs(replica.url, 5_000);
  const probe = await prober.stop();
  return { value, figures: { probe, loopMaxMs, windowMs: performance.now() - windowStart } };
}

/** The prober against a bare node:http server (floor-server.ts) for BENCH_MACHINE_FLOOR_S: what the machine alone adds. */
async function machineFloor(prober: Prober): Promise<ProbeResult | null> {
  if (settings.machineFloorS === 0) return null;
  const server = forkTs(resolve(__dirname, 'floor-server.ts'));
  try {
    const { port } = await nextMessage<{ type: 'listening'; port: number }, 'listening'>(
      server,
      'listening',
      30_000,
    );
    await prober.start(`http://127.0.0.1:${port}`);
    await sleep(settings.machineFloorS * 1000);
    return await prober.stop();
  } finally {
    await stopChild(server);
  }
}

async function runScenario(
  scenario: Scenario,
  context: StallContext,
  replica: StallReplica,
  prober: Prober,
): Promise<ScenarioRow> {
  await scenario.prepare?.(context);
  log(`${scenario.name}: ${scenario.describe(context)}`);
  const controller = new AbortController();
  const timeoutMs = settings.scenarioTimeoutS * 1000;
  const { value, figures } = await measureWindow(replica, prober, async () => {
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = performance.now();
    const outcome = await scenario.run(context, controller.signal);
    const requestMs = controller.signal.aborted ? timeoutMs : performance.now() - started;
    clearTimeout(timer);
    // Work the replica does after answering (applying the change, broadcasting, GC) still counts.
    if (!controller.signal.aborted) await sleep(settings.tailMs);
    return { outcome, requestMs };
  });
  const timedOut = controller.signal.aborted;
  const rssKb = readProcKb(replica.pid, 'VmRSS');
  if (timedOut) {
    log(
      `${scenario.name}: no answer within ${settings.scenarioTimeoutS} s; restarting the replica (SIGKILL) on the same data`,
    );
    await replica.start({ kill: true });
  }
  // The floor: the same replica idle for as long (bounded), after a moment to settle.
  await sleep(1_000);
  const idleMs = Math.min(figures.windowMs, settings.idleMaxS * 1000);
  const idle = idleMs > 0 ? (await measureWindow(replica, prober, () => sleep(idleMs))).figures : null;
  const row: ScenarioRow = {
    name: scenario.name,
    detail: value.outcome.detail,
    statuses: value.outcome.statuses,
    requestMs: value.requestMs,
    timedOut,
    load: figures,
    idle,
    rssKb,
    note: value.outcome.note ?? null,
  };
  log(
    `${scenario.name}: ${JSON.stringify(row.statuses)} in ${row.requestMs.toFixed(0)} ms; /healthz longest wait ` +
      `${figures.probe.waits.max.toFixed(1)} ms (p99 ${figures.probe.waits.p99.toFixed(1)}), loop max ${figures.loopMaxMs?.toFixed(1) ?? 'n/a'} ms; ` +
      `idle ${idle ? `${idle.probe.waits.max.toFixed(1)} ms` : 'n/a'}`,
  );
  return row;
}

async function main(): Promise<void> {
  log(`settings ${JSON.stringify(settings)}`);
  const loadBefore = await otherWorkCores();
  const replica = await StallReplica.create();
  log('starting the replica (SQLite in a fresh DATA_DIR)');
  const firstStartMs = await replica.start();
  const prober = new Prober();
  const context: StallContext = { url: replica.url, settings, admin: replica.admin, token: '', state: {} };
  const rows: ScenarioRow[] = [];
  try {
    await setUp(context);
    for (const scenario of buildScenarios()) {
      if (scenario.coldStart) {
        log('cold start: stopping the replica and starting it again on the same data');
        context.state.coldStartMs = await replica.start();
      }
      rows.push(await runScenario(scenario, context, replica, prober));
    }
  } catch (error) {
    console.error(replica.logs());
    throw error;
  }
  log(`machine floor: the same prober against a bare node:http server for ${settings.machineFloorS} s`);
  const floor = await machineFloor(prober);
  if (floor)
    log(
      `machine floor: longest wait ${floor.waits.max.toFixed(1)} ms (p99 ${floor.waits.p99.toFixed(1)} ms, ${floor.answered} probes)`,
    );
  const report = {
    settings,
    rows,
    date: new Date(),
    goalMs: GOAL_MS,
    loadBefore,
    firstStartMs,
    machineFloor: floor,
  };
  printTable(report);
  if (writeDoc) writeSection(SECTION, markdownSection(report));
  const over = rows.filter(
    (row) => !row.timedOut && Math.max(row.load.probe.waits.max, row.load.loopMaxMs ?? 0) > GOAL_MS,
  );
  const timedOut = rows.filter((row) => row.timedOut);
  log(
    `${rows.length - over.length - timedOut.length} of ${rows.length} scenarios within ${GOAL_MS} ms` +
      `${timedOut.length ? `; ${timedOut.length} timed out` : ''}${writeDoc ? '; results written to docs/benchmarks.md' : ''}`,
  );
}

runBenchmark('bench:stall', timeoutS, cleanups, main);
