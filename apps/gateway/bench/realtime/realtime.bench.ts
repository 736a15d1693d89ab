/**
 * `pnpm bench:realtime`: the gateway cluster's fan-out under load, against a bare Socket.IO +
 * Redis adapter baseline measured in the same run. See report.ts for what is printed and written.
 *
 * Settings (environment, all listed in README.md beside this file): BENCH_CLIENTS (2000),
 * BENCH_RATE reservations/s (100), BENCH_DURATION_S (20), BENCH_TICKETS (10000), BENCH_RESERVERS
 * reserving users (50), BENCH_TIMEOUT_S hard stop for the whole run (1800), BENCH_MODE=baseline to
 * run only the baseline (a check of the harness; writes nothing), BENCH_WRITE=0 to leave
 * docs/benchmarks.md alone, and more.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import type { RowDataPacket } from 'mysql2/promise';
import { ApiClient } from '../../test/cluster/api-client';
import { auditBookings } from '../../test/cluster/booking-audit';
import { GatewayCluster } from '../../test/cluster/gateway-cluster';
import { freePort, readProcKb } from '../../test/cluster/gateway-process';
import { forkTs, nextMessage, stopChild } from './child-process';
import { CpuMeter, pidsNamed } from './cpu-usage';
import { mergeGeneratorResults, schedulerTickMs } from './stats';
import type { FromBaselineServer, FromLoadGenerator, LoadPlan, LoadResult, ToBaselineServer, ToLoadGenerator } from './load-messages';
import {
  markdownSection,
  cpuUse,
  printTable,
  ratio,
  scaleRow,
  writeSection,
  type BenchSettings,
  type RealtimeReport,
  type ScaleRow,
} from './report';

function setting(name: string, fallback: number, { zeroAllowed = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, got "${raw}"`);
  }
  return value;
}

// `clients` is changed for the BENCH_SCALE runs, then set back to BENCH_CLIENTS for the main run.
const settings: BenchSettings = {
  clients: setting('BENCH_CLIENTS', 2000),
  reservesPerSecond: setting('BENCH_RATE', 100),
  durationS: setting('BENCH_DURATION_S', 20),
  warmupS: setting('BENCH_WARMUP_S', 3, { zeroAllowed: true }),
  tickets: setting('BENCH_TICKETS', 10_000),
  reservers: setting('BENCH_RESERVERS', 50),
  // BENCH_RESERVER_PROCESS=0 puts the reserving clients in with the listeners (see generatorPlans).
  reserverProcess: process.env.BENCH_RESERVER_PROCESS !== '0',
};
const redisDb = setting('BENCH_REDIS_DB', 14);
/** Load-generator processes the clients are split over (more than one where cores allow). */
const generatorCount = setting('BENCH_GENERATORS', 1);
/**
 * The baseline once more at this low rate (BENCH_FLOOR_RATE broadcasts/s, 0 to skip): what bare
 * Socket.IO can do for the same clients on this machine when the rate is not the problem.
 */
const floorRate = setting('BENCH_FLOOR_RATE', 10, { zeroAllowed: true });
const timeoutS = setting('BENCH_TIMEOUT_S', 1800);
/** Smaller client counts run first (project only, same settings otherwise): where the latency goals hold on this machine. */
const scaleClients = (process.env.BENCH_SCALE ?? '500,1000')
  .split(',')
  .filter((item) => item.trim() !== '')
  .map((item) => {
    const value = Number(item);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`BENCH_SCALE must list client counts, got "${item}"`);
    return value;
  });
const baselineOnly = process.env.BENCH_MODE === 'baseline';
/** BENCH_WRITE=0 prints the table without touching docs/benchmarks.md (exploratory settings). */
const writeDoc = process.env.BENCH_WRITE !== '0';
const DEFAULT_PAYLOAD_BYTES = 190;

/**
 * Cores kept busy by other work over a short window while none of the bench's processes run
 * (from /proc/stat): a busy machine makes every figure of the run worse, the baseline's too.
 */
async function otherWorkCores(windowMs = 3_000): Promise<number> {
  const meter = new CpuMeter({}, cpus().length);
  meter.start();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return meter.stop().machine;
}

/** Everything started is registered here and torn down in reverse order, whatever happens. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!().catch((error: Error) => console.error('cleanup:', error.message));
}

function log(message: string): void {
  console.log(`[bench:realtime ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

const send = (child: ChildProcess, message: ToLoadGenerator | ToBaselineServer): boolean => child.send(message);

/**
 * The plans of the load-generator processes. The reserving clients get a process of their own
 * (unless BENCH_RESERVER_PROCESS=0): their acknowledgement latency should be the servers', not
 * time spent queued behind thousands of other sockets' broadcasts in a shared client process,
 * since every real client has a CPU of its own. The listening clients are split evenly over
 * BENCH_GENERATORS processes; every process spreads its clients over all replicas.
 */
function generatorPlans(plan: LoadPlan): LoadPlan[] {
  const ownProcess = settings.reserverProcess && plan.reserverTokens.length > 0;
  const listeners = ownProcess ? Math.max(0, plan.clients - plan.reserverTokens.length) : plan.clients;
  const plans: LoadPlan[] = ownProcess ? [{ ...plan, clients: plan.reserverTokens.length }] : [];
  for (let g = 0; g < generatorCount; g += 1) {
    const reserverTokens = ownProcess ? [] : plan.reserverTokens.filter((_, index) => index % generatorCount === g);
    plans.push({
      ...plan,
      clients: Math.floor(listeners / generatorCount) + (g < listeners % generatorCount ? 1 : 0),
      reserverTokens,
      // Each process reserves at its users' share of the rate.
      reservesPerSecond:
        plan.reserverTokens.length === 0 ? plan.reservesPerSecond : (plan.reservesPerSecond * reserverTokens.length) / plan.reserverTokens.length,
    });
  }
  return plans;
}

/**
 * Runs the load-generator processes (see generatorPlans) through plan → ready → go → load-done →
 * drain → result, and merges what they measured, with the cores each process used under load.
 */
async function runLoad(
  plan: LoadPlan,
  serverPids: readonly (number | undefined)[],
  duringLoad: () => Promise<void>,
  finalVersion: () => Promise<number>,
): Promise<LoadResult> {
  const plans = generatorPlans(plan);
  const generators = plans.map(() => forkTs('load-generator.ts'));
  for (const generator of generators) cleanups.push(() => stopChild(generator));
  const waitAll = <T extends FromLoadGenerator['type']>(type: T, timeoutMs: number) =>
    Promise.all(generators.map((generator) => nextMessage<FromLoadGenerator, T>(generator, type, timeoutMs)));
  generators.forEach((generator, g) => send(generator, { type: 'plan', plan: plans[g] }));
  const ready = await waitAll('ready', 60_000 + plan.clients * 100);
  const connected = ready.reduce((total, r) => total + r.connected, 0);
  const failed = ready.reduce((total, r) => total + r.failed, 0);
  const connectMs = Math.max(...ready.map((r) => r.connectMs));
  log(
    `${plan.mode}: ${connected} clients in ${generators.length} load generators connected and joined in ${connectMs} ms (${failed} failed)`,
  );
  if (failed > 0) throw new Error(`${failed} clients could not connect`);
  const meter = new CpuMeter(
    {
      servers: serverPids,
      generators: generators.map((generator) => generator.pid),
      mariadb: pidsNamed('mariadbd', 'mysqld'),
      redis: pidsNamed('redis-server'),
    },
    cpus().length,
  );
  const loadDone = waitAll('load-done', plan.warmupMs + plan.durationMs + 240_000);
  meter.start();
  for (const generator of generators) send(generator, { type: 'go' });
  await Promise.all([loadDone, duringLoad()]);
  const cpu = meter.stop();
  const version = await finalVersion();
  const results = waitAll('result', 120_000);
  for (const generator of generators) send(generator, { type: 'drain', finalVersion: version, timeoutMs: 60_000 });
  return {
    ...mergeGeneratorResults(
      plan.mode,
      version,
      (await results).map((message) => message.result),
    ),
    cpu,
  };
}

async function runProject(): Promise<Omit<RealtimeReport, 'baseline' | 'baselineRate' | 'baselinePeakRssKb' | 'floor' | 'loadBefore'> & { loadBefore: number }> {
  const loadBefore = await otherWorkCores();
  log('starting two gateway replicas on a fresh database');
  const cluster = await GatewayCluster.start({ owner: 'bench_realtime', replicas: 2, redisDb });
  cleanups.push(() => cluster.stop());
  const urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[0]);
  const admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
  const event = await admin.createEvent('bench:realtime');
  await admin.bulkCreateTickets(event.id, { count: settings.tickets, minValue: 1, maxValue: 1000 });

  log(`seeded event ${event.id} with ${settings.tickets} tickets; registering users`);
  const register = async (label: string, count: number): Promise<string[]> => {
    const tokens: string[] = [];
    for (let first = 0; first < count; first += 10) {
      const batch = Array.from({ length: Math.min(10, count - first) }, (_, index) =>
        new ApiClient(urls[(first + index) % urls.length]).registerAttendee(`${label}${first + index}`),
      );
      tokens.push(...(await Promise.all(batch)).map((auth) => auth.accessToken));
    }
    return tokens;
  };
  const reserverTokens = await register('reserver', settings.reservers);
  const listenerTokens = await register('listener', 20);

  // Small levels made of a few tickets: many tickets per value keep them available all run long.
  const page = await api.withToken(listenerTokens[0]).levels(event.id, 0, 500);
  const levels = page.rows.filter((row) => row.ticketCount <= 3).map((row) => row.level);
  if (levels.length === 0) throw new Error('no small levels to reserve');

  const result = await runLoad(
    {
      mode: 'project',
      urls,
      eventId: event.id,
      clients: settings.clients,
      listenerTokens,
      reserverTokens,
      levels,
      reservesPerSecond: settings.reservesPerSecond,
      durationMs: settings.durationS * 1000,
      warmupMs: settings.warmupS * 1000,
      connectBatchSize: 50,
      connectBatchIntervalMs: 50,
    },
    cluster.replicas.map((replica) => replica.pid),
    async () => undefined,
    // Requests still queued in the replicas may commit after the last send: wait (bounded) until
    // the event's version has stopped moving, so every committed change is expected by every client.
    async () => {
      const readVersion = async (): Promise<number> => {
        const [row] = await cluster.database.query<RowDataPacket>('SELECT version FROM events WHERE id = ?', [event.id]);
        return Number(row.version);
      };
      const deadline = Date.now() + 120_000;
      let version = await readVersion();
      for (let stableSince = Date.now(); Date.now() - stableSince < 3_000 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const next = await readVersion();
        if (next !== version) [version, stableSince] = [next, Date.now()];
      }
      return version;
    },
  );

  const audit = await auditBookings(cluster.database, event.id, result.acknowledged);
  // Also from the clients' side: no ticket in two acknowledged reservations.
  const seen = new Set<number>();
  const doubleBooked = new Set<number>(audit.doubleBookedTickets);
  for (const reservation of result.acknowledged) {
    for (const ticketId of reservation.ticketIds) {
      if (seen.has(ticketId)) doubleBooked.add(ticketId);
      seen.add(ticketId);
    }
  }
  const { counters } = audit;
  if (counters.availableTickets !== counters.countedAvailable || counters.totalTickets !== counters.countedTotal) {
    log(`WARNING: event counters ${JSON.stringify(counters)} disagree with the ticket rows`);
  }
  const replicaPeakRssKb = cluster.replicas.map((replica) => replica.peakRssKb());
  await cleanUp();
  return {
    settings,
    project: result,
    doubleBooked: doubleBooked.size,
    lostReservations: audit.lostReservations.length,
    inconsistentTickets: audit.inconsistentTickets.length,
    counterDrift: {
      total: counters.totalTickets - counters.countedTotal,
      available: counters.availableTickets - counters.countedAvailable,
    },
    replicaPeakRssKb,
    loadBefore,
  };
}

async function runBaseline(payloadBytes: number, rate: number): Promise<{ result: LoadResult; peakRssKb: number[]; loadBefore: number }> {
  const loadBefore = await otherWorkCores();
  const changes = Math.max(1, Math.round(rate * (settings.warmupS + settings.durationS)));
  log(`baseline: two bare Socket.IO servers, ${changes} broadcasts of ${payloadBytes} bytes at ${rate.toFixed(1)}/s`);
  const adapterKey = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const servers: ChildProcess[] = [];
  const urls: string[] = [];
  for (let index = 0; index < 2; index += 1) {
    const port = await freePort();
    const server = forkTs('baseline-server.ts', { PORT: String(port), REDIS_URL: `redis://127.0.0.1:6379/${redisDb}`, ADAPTER_KEY: adapterKey });
    cleanups.push(() => stopChild(server));
    await nextMessage<FromBaselineServer, 'listening'>(server, 'listening', 30_000);
    servers.push(server);
    urls.push(`http://127.0.0.1:${port}`);
  }
  const peaks = [0, 0];
  const samplePeaks = (): void => servers.forEach((server, index) => (peaks[index] = Math.max(peaks[index], readProcKb(server.pid, 'VmHWM') ?? 0)));
  const eventId = 1;
  const result = await runLoad(
    {
      mode: 'baseline',
      urls,
      eventId,
      clients: settings.clients,
      listenerTokens: [],
      reserverTokens: [],
      levels: [],
      reservesPerSecond: rate,
      durationMs: settings.durationS * 1000,
      warmupMs: settings.warmupS * 1000,
      connectBatchSize: 50,
      connectBatchIntervalMs: 50,
    },
    servers.map((server) => server.pid),
    // The same fixed-rate schedule as the reservations, alternating between the two servers.
    () =>
      new Promise<void>((resolve) => {
        const started = performance.now();
        let sent = 0;
        const timer = setInterval(() => {
          const due = Math.min(changes, Math.floor(((performance.now() - started) * rate) / 1000));
          while (sent < due) {
            sent += 1;
            send(servers[sent % 2], { type: 'broadcast', eventId, version: sent, payloadBytes });
          }
          if (sent >= changes) {
            clearInterval(timer);
            resolve();
          }
        }, schedulerTickMs(rate));
      }),
    async () => changes,
  );
  samplePeaks();
  await cleanUp();
  return { result, peakRssKb: peaks, loadBefore };
}

async function main(): Promise<void> {
  const hardStop = setTimeout(() => {
    console.error(`bench:realtime: still running after ${timeoutS} s, giving up`);
    void cleanUp().finally(() => process.exit(2));
  }, timeoutS * 1000);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    log(`settings ${JSON.stringify(settings)}`);
    const scale: ScaleRow[] = [];
    const mainClients = settings.clients;
    for (const clients of baselineOnly ? [] : scaleClients.filter((count) => count < mainClients)) {
      settings.clients = clients;
      log(`scale run: ${clients} clients (project only)`);
      const run = await runProject();
      scale.push(scaleRow(clients, run));
      if (run.project.messagesLost > 0 || run.doubleBooked > 0 || run.lostReservations > 0) process.exitCode = 1;
    }
    settings.clients = mainClients;
    const project = baselineOnly ? null : await runProject();
    // The fan-out work the project really did: its committed rate (at most the target), same duration.
    const baselineRate = Math.min(settings.reservesPerSecond, project?.project.reserve.committedPerSecond || settings.reservesPerSecond);
    const payloadBytes = project?.project.meanPayloadBytes || DEFAULT_PAYLOAD_BYTES;
    const baseline = await runBaseline(payloadBytes, baselineRate);
    if (!project) {
      console.log(JSON.stringify({ ...baseline.result, acknowledged: undefined }, null, 2));
      return;
    }
    const floor = floorRate > 0 && floorRate < baselineRate ? { rate: floorRate, result: (await runBaseline(payloadBytes, floorRate)).result } : null;
    const report: RealtimeReport = {
      ...project,
      baseline: baseline.result,
      baselineRate,
      baselinePeakRssKb: baseline.peakRssKb,
      floor,
      loadBefore: { project: project.loadBefore, baseline: baseline.loadBefore },
    };
    printTable(report);
    if (floor) log(`floor: bare Socket.IO at ${floor.rate}/s, fan-out p50 / p99 ${floor.result.fanOutAll.p50} / ${floor.result.fanOutAll.p99} ms; ${cpuUse(floor.result)}`);
    if (writeDoc) writeSection(markdownSection(report, new Date(), scale));
    log(`fan-out p99 is ${ratio(report).toFixed(2)}× the baseline${writeDoc ? '; results written to docs/benchmarks.md' : ''}`);
    const { project: load } = report;
    if (load.messagesLost > 0 || load.disconnected > 0 || report.doubleBooked > 0 || report.lostReservations > 0 || report.inconsistentTickets > 0) {
      process.exitCode = 1;
      console.error('bench:realtime: messages lost, sockets dropped, tickets double-booked or reservations lost (see table)');
    }
  } finally {
    clearTimeout(hardStop);
    await cleanUp();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error);
  process.exitCode = 1;
});
