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
import { resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { RowDataPacket } from 'mysql2/promise';
import { ApiClient } from '../../test/cluster/api-client';
import { auditBookings } from '../../test/cluster/booking-audit';
import { GatewayCluster } from '../../test/cluster/gateway-cluster';
import { freePort, readProcKb } from '../../test/cluster/gateway-process';
import { writeSection } from '../common/benchmarks-doc';
import { forkTs, nextMessage, stopChild } from '../common/child-process';
import { CpuMeter, pidsNamed } from '../common/cpu-usage';
import { schedulerTickMs } from '../common/latency';
import { Cleanups, logger, otherWorkCores, runBenchmark, setting } from '../common/run';
import { mergeGeneratorResults } from './merge-results';
import type {
  FromBaselineServer,
  FromLoadGenerator,
  LoadPlan,
  LoadResult,
  ToBaselineServer,
  ToLoadGenerator,
} from './load-messages';
import {
  markdownSection,
  messagesPerClientPerSecond,
  printTable,
  ratios,
  scaleRow,
  SECTION,
  type BaselineShape,
  type BenchSettings,
  type RealtimeReport,
  type ScaleRow,
} from './report';

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
const timeoutS = setting('BENCH_TIMEOUT_S', 1800);
/** Smaller client counts run first (project only, same settings otherwise): where the latency goals hold on this machine. */
const scaleClients = (process.env.BENCH_SCALE ?? '500,1000')
  .split(',')
  .filter((item) => item.trim() !== '')
  .map((item) => {
    const value = Number(item);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`BENCH_SCALE must list client counts, got "${item}"`);
    return value;
  });
const baselineOnly = process.env.BENCH_MODE === 'baseline';
/** BENCH_WRITE=0 prints the table without touching docs/benchmarks.md (exploratory settings). */
const writeDoc = process.env.BENCH_WRITE !== '0';
/** The baseline's shape when BENCH_MODE=baseline runs it alone: one message per change, at BENCH_RATE. */
const STANDALONE_BASELINE: Omit<BaselineShape, 'messagesPerSecond'> = {
  changesPerMessage: 1,
  messageBytes: 210,
};
/** JSON bytes of an `inventory:changed` message around its changes: `{"eventId":1,"changes":[]}`. */
const ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ eventId: 1, changes: [] }));

const cleanups = new Cleanups();
const log = logger('bench:realtime');

const send = (child: ChildProcess, message: ToLoadGenerator | ToBaselineServer): boolean =>
  child.send(message);

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
    const reserverTokens = ownProcess
      ? []
      : plan.reserverTokens.filter((_, index) => index % generatorCount === g);
    plans.push({
      ...plan,
      clients: Math.floor(listeners / generatorCount) + (g < listeners % generatorCount ? 1 : 0),
      reserverTokens,
      // Each process reserves at its users' share of the rate.
      reservesPerSecond:
        plan.reserverTokens.length === 0
          ? plan.reservesPerSecond
          : (plan.reservesPerSecond * reserverTokens.length) / plan.reserverTokens.length,
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
  const generators = plans.map(() => forkTs(resolve(__dirname, 'load-generator.ts')));
  for (const generator of generators) cleanups.add(() => stopChild(generator));
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
  for (const generator of generators)
    send(generator, { type: 'drain', finalVersion: version, timeoutMs: 60_000 });
  return {
    ...mergeGeneratorResults(
      plan.mode,
      version,
      (await results).map((message) => message.result),
    ),
    cpu,
  };
}

async function runProject(): Promise<
  Omit<RealtimeReport, 'baseline' | 'baselineShape' | 'baselinePeakRssKb' | 'loadBefore'> & {
    loadBefore: number;
  }
> {
  const loadBefore = await otherWorkCores();
  log('starting two gateway replicas on a fresh database');
  const cluster = await GatewayCluster.start({ owner: 'bench_realtime', replicas: 2, redisDb });
  cleanups.add(() => cluster.stop());
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
        const [row] = await cluster.database.query<RowDataPacket>('SELECT version FROM events WHERE id = ?', [
          event.id,
        ]);
        return Number(row.version);
      };
      const deadline = Date.now() + 120_000;
      let version = await readVersion();
      for (let stableSince = Date.now(); Date.now() - stableSince < 3_000 && Date.now() < deadline;) {
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
  if (
    counters.availableTickets !== counters.countedAvailable ||
    counters.totalTickets !== counters.countedTotal
  ) {
    log(`WARNING: event counters ${JSON.stringify(counters)} disagree with the ticket rows`);
  }
  const replicaPeakRssKb = cluster.replicas.map((replica) => replica.peakRssKb());
  await cleanups.run();
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

/**
 * The baseline at the gateway's message rate and size: `shape.messagesPerSecond` broadcasts per
 * second for the same time, each carrying on average `shape.changesPerMessage` consecutive changes
 * in a message of `shape.messageBytes`, alternating between two bare servers.
 */
async function runBaseline(
  shape: BaselineShape,
): Promise<{ result: LoadResult; peakRssKb: number[]; loadBefore: number }> {
  const loadBefore = await otherWorkCores();
  const { messagesPerSecond, changesPerMessage, messageBytes } = shape;
  const messages = Math.max(1, Math.round(messagesPerSecond * (settings.warmupS + settings.durationS)));
  // Changes per message vary so that their mean is changesPerMessage (e.g. 16, 17, 16, 17, ...).
  const changesIn = (message: number): number =>
    Math.max(1, Math.floor((message + 1) * changesPerMessage) - Math.floor(message * changesPerMessage));
  const changeBytes = Math.max(1, Math.round((messageBytes - ENVELOPE_BYTES) / changesPerMessage - 1));
  const intervalMs = 1000 / messagesPerSecond;
  log(
    `baseline: two bare Socket.IO servers, ${messages} messages at ${messagesPerSecond.toFixed(2)}/s, ` +
      `${changesPerMessage.toFixed(2)} changes of ${changeBytes} bytes each (${messageBytes} bytes per message)`,
  );
  const adapterKey = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const servers: ChildProcess[] = [];
  const urls: string[] = [];
  for (let index = 0; index < 2; index += 1) {
    const port = await freePort();
    const server = forkTs(resolve(__dirname, 'baseline-server.ts'), {
      PORT: String(port),
      REDIS_URL: `redis://127.0.0.1:6379/${redisDb}`,
      ADAPTER_KEY: adapterKey,
    });
    cleanups.add(() => stopChild(server));
    await nextMessage<FromBaselineServer, 'listening'>(server, 'listening', 30_000);
    servers.push(server);
    urls.push(`http://127.0.0.1:${port}`);
  }
  const peaks = [0, 0];
  const samplePeaks = (): void =>
    servers.forEach(
      (server, index) => (peaks[index] = Math.max(peaks[index], readProcKb(server.pid, 'VmHWM') ?? 0)),
    );
  const eventId = 1;
  let version = 0;
  const result = await runLoad(
    {
      mode: 'baseline',
      urls,
      eventId,
      clients: settings.clients,
      listenerTokens: [],
      reserverTokens: [],
      levels: [],
      reservesPerSecond: messagesPerSecond,
      durationMs: settings.durationS * 1000,
      warmupMs: settings.warmupS * 1000,
      connectBatchSize: 50,
      connectBatchIntervalMs: 50,
    },
    servers.map((server) => server.pid),
    // A fixed-rate schedule like the reservations', alternating between the two servers.
    () =>
      new Promise<void>((resolveSent) => {
        const started = performance.now();
        let sent = 0;
        const timer = setInterval(() => {
          const due = Math.min(
            messages,
            Math.floor(((performance.now() - started) * messagesPerSecond) / 1000),
          );
          while (sent < due) {
            const changes = changesIn(sent);
            send(servers[sent % 2], {
              type: 'broadcast',
              eventId,
              firstVersion: version + 1,
              changes,
              changeBytes,
              intervalMs,
            });
            version += changes;
            sent += 1;
          }
          if (sent >= messages) {
            clearInterval(timer);
            resolveSent();
          }
        }, schedulerTickMs(messagesPerSecond));
      }),
    async () => version,
  );
  samplePeaks();
  await cleanups.run();
  return { result, peakRssKb: peaks, loadBefore };
}

async function main(): Promise<void> {
  log(`settings ${JSON.stringify(settings)}`);
  const scale: ScaleRow[] = [];
  const mainClients = settings.clients;
  for (const clients of baselineOnly ? [] : scaleClients.filter((count) => count < mainClients)) {
    settings.clients = clients;
    log(`scale run: ${clients} clients (project only)`);
    const run = await runProject();
    scale.push(scaleRow(clients, run));
    if (run.project.messagesLost > 0 || run.doubleBooked > 0 || run.lostReservations > 0)
      process.exitCode = 1;
  }
  settings.clients = mainClients;
  const project = baselineOnly ? null : await runProject();
  // The fan-out work the project really did: as many messages per client per second, as large.
  const shape: BaselineShape = project
    ? {
        messagesPerSecond: messagesPerClientPerSecond(project.project, settings),
        changesPerMessage: project.project.changesReceived / Math.max(1, project.project.messagesReceived),
        messageBytes: project.project.meanMessageBytes,
      }
    : { ...STANDALONE_BASELINE, messagesPerSecond: settings.reservesPerSecond };
  const baseline = await runBaseline(shape);
  if (!project) {
    console.log(JSON.stringify({ ...baseline.result, acknowledged: undefined }, null, 2));
    return;
  }
  const report: RealtimeReport = {
    ...project,
    baseline: baseline.result,
    baselineShape: shape,
    baselinePeakRssKb: baseline.peakRssKb,
    loadBefore: { project: project.loadBefore, baseline: baseline.loadBefore },
  };
  printTable(report);
  if (writeDoc) writeSection(SECTION, markdownSection(report, new Date(), scale));
  const { fanOut, cpuPerDelivery } = ratios(report);
  log(
    `fan-out p99 ${fanOut.toFixed(2)}×, server CPU per delivered message ${cpuPerDelivery.toFixed(2)}× the baseline at the same message rate` +
      `${writeDoc ? '; results written to docs/benchmarks.md' : ''}`,
  );
  const { project: load } = report;
  if (
    load.messagesLost > 0 ||
    load.disconnected > 0 ||
    report.doubleBooked > 0 ||
    report.lostReservations > 0 ||
    report.inconsistentTickets > 0
  ) {
    process.exitCode = 1;
    console.error(
      'bench:realtime: messages lost, sockets dropped, tickets double-booked or reservations lost (see table)',
    );
  }
}

runBenchmark('bench:realtime', timeoutS, cleanups, main);
