/**
 * `pnpm bench:stampede`: a thousand sockets reserve at the same instant, twice (the same 50 low
 * levels, then distinct levels), against two replicas on MariaDB + Redis; per phase the committed
 * rate, acknowledgement latencies, outcomes, the time until every socket has every change, and
 * the database audit; then the limit: the same transactions, replayed straight to MariaDB from
 * this process on a copy of the data (bare-reserve.ts). See README.md beside this file.
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { RowDataPacket } from 'mysql2/promise';
import type { LevelPage } from '@tickets/protocol';
import { ApiClient } from '../../test/cluster/api-client';
import { auditBookings } from '../../test/cluster/booking-audit';
import { GatewayCluster } from '../../test/cluster/gateway-cluster';
import type { ScratchDatabase } from '../../test/support/scratch-database';
import { writeSection } from '../common/benchmarks-doc';
import { forkTs, nextMessage, stopChild } from '../common/child-process';
import { markProfileWindow, profileClockUs } from '../common/cpu-profile-summary';
import { CpuMeter, pidsNamed, type CpuShare } from '../common/cpu-usage';
import { summarize } from '../common/latency';
import { Cleanups, logger, otherWorkCores, runBenchmark, setting, sleep } from '../common/run';
import { copyDatabase, replayReservations, type ReplayedReservation } from './bare-reserve';
import type { FromGenerator, PhaseAnswers, StampedePlan, SyncResult, ToGenerator } from './messages';
import {
  EXPIRY_SECTION,
  expiryMarkdownSection,
  markdownSection,
  printExpiryTable,
  printTable,
  SECTION,
  type ExpiryReport,
  type PhaseReport,
  type StampedeReport,
  type StampedeSettings,
} from './report';

/** MySQL connections per replica (MYSQL_POOL_SIZE in the gateway's data-source-options.ts). */
const REPLICA_POOL_SIZE = 20;
const REPLICAS = 2;

const settings: StampedeSettings = {
  sockets: setting('BENCH_SOCKETS', 1000),
  users: setting('BENCH_USERS', 100),
  tickets: setting('BENCH_TICKETS', 10_000),
  sharedLevels: setting('BENCH_SHARED_LEVELS', 50),
  generators: setting('BENCH_GENERATORS', 2),
  rateLimit: String(setting('BENCH_RESERVE_RATE_LIMIT', 1_000_000)),
  barePoolSize: REPLICAS * REPLICA_POOL_SIZE,
};
const redisDb = setting('BENCH_REDIS_DB', 14);
const timeoutS = setting('BENCH_TIMEOUT_S', 900);
const writeDoc = process.env.BENCH_WRITE !== '0';
/** How long after the go signal every socket may take to have every change of a phase. */
const SYNC_TIMEOUT_MS = 120_000;

const cleanups = new Cleanups();
/** The cluster and the load generators: stopped before the bare replay, so it has the machine to itself. */
const projectCleanups = new Cleanups();
cleanups.add(() => projectCleanups.run());
const log = logger('bench:stampede');

const send = (child: ChildProcess, message: ToGenerator): boolean => child.send(message);

class Generators {
  /** `inventory:changed` messages all sockets received up to the last sync. */
  messagesSoFar = 0;

  private constructor(
    readonly children: ChildProcess[],
    /** Per child, the global socket indexes it holds, in order. */
    readonly socketsOf: number[][],
  ) {}

  /** Forks the processes and connects every socket (socket i of the run uses tokens[i % users] and replica i % 2). */
  static async start(
    urls: string[],
    eventId: number,
    tokens: string[],
  ): Promise<{ generators: Generators; lowestJoinVersion: number }> {
    const count = Math.max(1, Math.min(settings.generators, settings.sockets));
    const socketsOf = Array.from({ length: count }, (_, g) =>
      Array.from({ length: settings.sockets }, (_, i) => i).filter((i) => i % count === g),
    );
    const children = socketsOf.map(() => forkTs(resolve(__dirname, 'load-generator.ts')));
    for (const child of children) projectCleanups.add(() => stopChild(child));
    const ready = Promise.all(
      children.map((child) =>
        nextMessage<FromGenerator, 'ready'>(child, 'ready', 60_000 + settings.sockets * 100),
      ),
    );
    children.forEach((child, g) => {
      const plan: StampedePlan = {
        urls,
        eventId,
        tokens: socketsOf[g].map((i) => tokens[i % tokens.length]),
        firstSocket: socketsOf[g][0] ?? 0,
        connectBatchSize: 50,
        connectBatchIntervalMs: 50,
      };
      send(child, { type: 'plan', plan });
    });
    const answers = await ready;
    const failed = answers.reduce((total, answer) => total + answer.failed, 0);
    if (failed > 0) throw new Error(`${failed} sockets could not connect`);
    return {
      generators: new Generators(children, socketsOf),
      lowestJoinVersion: Math.min(...answers.map((a) => a.lowestJoinVersion)),
    };
  }

  /** Every socket reserves `levelOf(global socket index)` at `goAt`; the answers in global socket order. */
  async reserve(phase: string, goAt: number, levelOf: (socket: number) => number): Promise<PhaseAnswers> {
    const answered = Promise.all(
      this.children.map((child) => nextMessage<FromGenerator, 'answers'>(child, 'answers', 240_000)),
    );
    this.children.forEach((child, g) =>
      send(child, { type: 'reserve', phase, goAt, levels: this.socketsOf[g].map(levelOf) }),
    );
    const parts = (await answered).map((message) => message.answers);
    return {
      answers: parts.flatMap((part) => part.answers),
      firstSentAt: Math.min(...parts.map((part) => part.firstSentAt)),
      lastAckAt: Math.max(...parts.map((part) => part.lastAckAt)),
    };
  }

  async sync(fromVersion: number, toVersion: number): Promise<SyncResult> {
    const synced = Promise.all(
      this.children.map((child) =>
        nextMessage<FromGenerator, 'synced'>(child, 'synced', SYNC_TIMEOUT_MS + 30_000),
      ),
    );
    for (const child of this.children)
      send(child, { type: 'sync', fromVersion, toVersion, timeoutMs: SYNC_TIMEOUT_MS });
    const parts = (await synced).map((message) => message.result);
    this.messagesSoFar = parts.reduce((total, part) => total + part.messages, 0);
    return {
      completeAt: Math.max(...parts.map((part) => part.completeAt)),
      missing: parts.reduce((total, part) => total + part.missing, 0),
      disconnected: parts.reduce((total, part) => total + part.disconnected, 0),
      outOfOrder: parts.reduce((total, part) => total + part.outOfOrder, 0),
      messages: parts.reduce((total, part) => total + part.messages, 0),
    };
  }
}

async function eventVersion(database: ScratchDatabase, eventId: number): Promise<number> {
  const [row] = await database.query<RowDataPacket>('SELECT version FROM events WHERE id = ?', [eventId]);
  return Number(row.version);
}

/** The reservations committed with ids in (afterId, upToId], in id order, as the bare replay needs them. */
async function committedReservations(
  database: ScratchDatabase,
  eventId: number,
  afterId: number,
  upToId: number,
): Promise<ReplayedReservation[]> {
  const rows = await database.query<RowDataPacket>(
    'SELECT user_id, level, request_id, ticket_ids FROM reservations WHERE event_id = ? AND id > ? AND id <= ? ORDER BY id',
    [eventId, afterId, upToId],
  );
  return rows.map((row) => ({
    userId: Number(row.user_id),
    level: Number(row.level),
    requestId: String(row.request_id),
    ticketIds: (JSON.parse(String(row.ticket_ids)) as unknown[]).map(Number),
  }));
}

/**
 * The next reservation id: every reserve transaction inserts its reservation row first, and a
 * rolled-back insert still uses up its id, so its growth counts transactions begun.
 */
async function nextReservationId(database: ScratchDatabase): Promise<number> {
  const [row] = await database.query<RowDataPacket>(
    "SELECT AUTO_INCREMENT AS next FROM information_schema.tables WHERE table_schema = ? AND table_name = 'reservations'",
    [database.name],
  );
  return Number(row?.next ?? NaN);
}

async function maxReservationId(database: ScratchDatabase): Promise<number> {
  const [row] = await database.query<RowDataPacket>('SELECT COALESCE(MAX(id), 0) AS id FROM reservations');
  return Number(row.id);
}

interface PhaseRun {
  phase: Omit<PhaseReport, 'bare'>;
  reservations: ReplayedReservation[];
  acknowledged: { id: number; ticketIds: number[] }[];
  goAt: number;
}

/** One stampede: every socket reserves at once; waits for the answers, the commits and every socket's copy of every change. */
async function runPhase(
  name: string,
  description: string,
  generators: Generators,
  cluster: GatewayCluster,
  eventId: number,
  levelOf: (socket: number) => number,
  /** Awaited after the last answer, before the phase's versions are counted (phase 3: until every hold has expired). */
  settle: (goAt: number) => Promise<void> = async () => {},
  /** Run before the go signal, which then comes 2 s later instead of 0.5 s. */
  prepare?: (goAt: number) => Promise<void>,
): Promise<PhaseRun> {
  const database = cluster.database;
  const versionBefore = await eventVersion(database, eventId);
  const messagesBefore = generators.messagesSoFar;
  const reservationIdBefore = await maxReservationId(database);
  const nextIdBefore = await nextReservationId(database);
  const meter = new CpuMeter(
    {
      servers: cluster.replicas.map((replica) => replica.pid),
      generators: generators.children.map((child) => child.pid),
      mariadb: pidsNamed('mariadbd', 'mysqld'),
      redis: pidsNamed('redis-server'),
      orchestrator: [process.pid],
    },
    cpus().length,
  );
  const goAt = Date.now() + (prepare ? 2000 : 500);
  await prepare?.(goAt);
  log(`${name}: ${settings.sockets} sockets reserve at once (${description})`);
  // The phase's name goes into request ids, which allow letters, digits, _ . : - only.
  const answering = generators.reserve(name.replace(/[^\w.:-]/g, ''), goAt, levelOf);
  await sleep(goAt - Date.now());
  meter.start();
  const profiledFrom = profileClockUs();
  const answers = await answering;
  const cpu: CpuShare = meter.stop();
  markProfileWindow(name, profiledFrom, profileClockUs());
  await settle(goAt);
  const versionAfter = await eventVersion(database, eventId);
  const sync = await generators.sync(versionBefore, versionAfter);
  const messages = sync.messages - messagesBefore;
  const commits = await database.query<RowDataPacket>(
    "SELECT committed_at FROM inventory_changes WHERE event_id = ? AND version > ? AND version <= ? AND cause = 'reserved'",
    [eventId, versionBefore, versionAfter],
  );
  const lastCommittedAt = Math.max(goAt, ...commits.map((row) => Number(row.committed_at)));
  const reservations = await committedReservations(
    database,
    eventId,
    reservationIdBefore,
    await maxReservationId(database),
  );
  const transactionsBegun = (await nextReservationId(database)) - nextIdBefore;
  const outcomes: Record<string, number> = {};
  for (const answer of answers.answers) outcomes[answer.outcome] = (outcomes[answer.outcome] ?? 0) + 1;
  const acknowledged = answers.answers.flatMap((answer) => (answer.reservation ? [answer.reservation] : []));
  const phase: PhaseRun['phase'] = {
    name,
    description,
    requests: answers.answers.length,
    outcomes,
    committed: reservations.length,
    transactionsBegun,
    ticketsReserved: reservations.reduce((total, reservation) => total + reservation.ticketIds.length, 0),
    committedPerSecond: reservations.length / Math.max(0.001, (lastCommittedAt - goAt) / 1000),
    commitSpanMs: lastCommittedAt - goAt,
    ack: summarize(answers.answers.map((answer) => answer.ackMs).filter(Number.isFinite)),
    lastAckMs: answers.lastAckAt - goAt,
    everySocketHasEveryChangeMs: sync.missing === 0 && sync.completeAt > 0 ? sync.completeAt - goAt : NaN,
    sync: { ...sync, messages },
    versions: versionAfter - versionBefore,
    cpu,
  };
  log(
    `${name}: ${JSON.stringify(outcomes)}; ${phase.committed} committed in ${phase.commitSpanMs} ms ` +
      `(${phase.committedPerSecond.toFixed(0)}/s); ack p50/p99/max ${phase.ack.p50.toFixed(0)}/${phase.ack.p99.toFixed(0)}/${phase.ack.max.toFixed(0)} ms; ` +
      `every socket had every change after ${phase.everySocketHasEveryChangeMs.toFixed(0)} ms (${sync.missing} missing)`,
  );
  return { phase, reservations, acknowledged, goAt };
}

/** Moves these holds' deadlines to `at` (epoch ms). */
async function setDeadlines(database: ScratchDatabase, ids: readonly number[], at: number): Promise<void> {
  const connection = await database.connect();
  try {
    // The gateway stores UTC (timezone 'Z').
    const deadline = new Date(at).toISOString().replace('T', ' ').replace('Z', '');
    for (let first = 0; first < ids.length; first += 500) {
      const chunk = ids.slice(first, first + 500);
      await connection.query(
        `UPDATE reservations SET expires_at = ? WHERE status = 'held' AND id IN (${chunk.map(() => '?').join(',')})`,
        [deadline, ...chunk],
      );
    }
  } finally {
    await connection.end();
  }
}

/** Polls until none of these reservations is held; answers that moment (epoch ms). */
async function heldUntilGone(
  database: ScratchDatabase,
  ids: readonly number[],
  notBefore: number,
): Promise<number> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const [row] = await database.query<RowDataPacket>(
      `SELECT COUNT(*) AS held FROM reservations WHERE status = 'held' AND id IN (${ids.map(() => '?').join(',')})`,
      [...ids],
    );
    if (Number(row.held) === 0) return Math.max(Date.now(), notBefore);
    await sleep(20);
  }
  throw new Error(`holds still held ${SYNC_TIMEOUT_MS} ms after their deadline`);
}

/** How many inventory changes of the event had this cause. */
async function changesCaused(database: ScratchDatabase, eventId: number, cause: string): Promise<number> {
  const [row] = await database.query<RowDataPacket>(
    'SELECT COUNT(*) AS changes FROM inventory_changes WHERE event_id = ? AND cause = ?',
    [eventId, cause],
  );
  return Number(row.changes);
}

/** The first `count` levels of the table at or above `min`, ascending. */
async function levelsFrom(api: ApiClient, eventId: number, min: number, count: number): Promise<number[]> {
  const levels: number[] = [];
  while (levels.length < count) {
    const page = await api.request<LevelPage>(
      'GET',
      `/events/${eventId}/levels?min=${min}&offset=${levels.length}&limit=500`,
    );
    levels.push(...page.rows.map((row) => row.level));
    if (page.rows.length === 0) break;
  }
  return levels.slice(0, count);
}

async function main(): Promise<void> {
  log(`settings ${JSON.stringify(settings)}`);
  const loadBefore = await otherWorkCores();
  log('starting two gateway replicas on a fresh database');
  const cluster = await GatewayCluster.start({
    owner: 'bench_stampede',
    replicas: REPLICAS,
    redisDb,
    env: { RESERVE_RATE_LIMIT: settings.rateLimit },
  });
  projectCleanups.add(() => cluster.stop());
  const urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[0]);
  const admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
  const event = await admin.createEvent('bench:stampede');
  await admin.bulkCreateTickets(event.id, { count: settings.tickets, minValue: 1, maxValue: 1000 });
  // The data before any reservation, for the bare replay.
  const bareDatabase = await copyDatabase(cluster.database, 'bench_stampede_bare');
  cleanups.add(() => bareDatabase.drop());
  log(
    `seeded event ${event.id} with ${settings.tickets} tickets (copied for the bare replay); registering ${settings.users} users`,
  );
  const tokens: string[] = [];
  for (let first = 0; first < settings.users; first += 10) {
    const batch = Array.from({ length: Math.min(10, settings.users - first) }, (_, index) =>
      new ApiClient(urls[(first + index) % urls.length]).registerAttendee(`stampede${first + index}`),
    );
    tokens.push(...(await Promise.all(batch)).map((auth) => auth.accessToken));
  }
  const { generators } = await Generators.start(urls, event.id, tokens);
  log(
    `${settings.sockets} sockets connected and joined across ${generators.children.length} load generators`,
  );

  const sharedLevels = await levelsFrom(admin, event.id, 1, settings.sharedLevels);
  const phase1 = await runPhase(
    'phase 1',
    `${settings.sockets.toLocaleString('en-US')} reserves from the same ${sharedLevels.length} low levels`,
    generators,
    cluster,
    event.id,
    (socket) => sharedLevels[socket % sharedLevels.length],
  );
  const distinctLevels = await levelsFrom(admin, event.id, Math.max(...sharedLevels) + 1, settings.sockets);
  if (distinctLevels.length < settings.sockets)
    throw new Error(`only ${distinctLevels.length} distinct levels to reserve`);
  const phase2 = await runPhase(
    'phase 2',
    `${settings.sockets.toLocaleString('en-US')} reserves of distinct levels (${distinctLevels[0]}..${distinctLevels.at(-1)})`,
    generators,
    cluster,
    event.id,
    (socket) => distinctLevels[socket],
  );

  // Phase 3: the stampede of phase 2 again (distinct levels), while phase 2's holds all run out at
  // the go signal, so both replicas' sweepers expire them during the same second. The deadlines are
  // moved in the database (holds made one by one over seconds would run out over seconds too) before the go.
  const expiring = phase2.acknowledged.map((reservation) => reservation.id);
  const thirdLevels = await levelsFrom(admin, event.id, Math.max(...distinctLevels) + 1, settings.sockets);
  if (thirdLevels.length < settings.sockets)
    throw new Error(`only ${thirdLevels.length} distinct levels for phase 3`);
  let allExpiredAtMs = NaN;
  const phase3 = await runPhase(
    'phase 3',
    `${settings.sockets.toLocaleString('en-US')} reserves of distinct levels while ${expiring.length.toLocaleString('en-US')} holds expire`,
    generators,
    cluster,
    event.id,
    (socket) => thirdLevels[socket],
    async (goAt) => {
      allExpiredAtMs = (await heldUntilGone(cluster.database, expiring, goAt)) - goAt;
    },
    async (goAt) => setDeadlines(cluster.database, expiring, goAt),
  );
  const expiredChanges = await changesCaused(cluster.database, event.id, 'expired');

  const audit = await auditBookings(cluster.database, event.id, [
    ...phase1.acknowledged,
    ...phase3.acknowledged,
  ]);
  // Also from the clients' side: no ticket in two acknowledged reservations.
  const seen = new Set<number>();
  const doubleBooked = new Set<number>(audit.doubleBookedTickets);
  for (const reservation of [...phase1.acknowledged, ...phase3.acknowledged]) {
    for (const ticketId of reservation.ticketIds) {
      if (seen.has(ticketId)) doubleBooked.add(ticketId);
      seen.add(ticketId);
    }
  }
  const replicaPeakRssKb = cluster.replicas.map((replica) => replica.peakRssKb());
  await projectCleanups.run();

  // The limit: the same committed reservations, phase by phase, straight to MariaDB on the copy.
  const phases: PhaseReport[] = [];
  for (const run of [phase1, phase2]) {
    const meter = new CpuMeter(
      { bare: [process.pid], mariadb: pidsNamed('mariadbd', 'mysqld') },
      cpus().length,
    );
    meter.start();
    const bare = await replayReservations(bareDatabase, event.id, run.reservations, settings.barePoolSize);
    const cpu = meter.stop();
    log(
      `${run.phase.name} bare: ${bare.committed} committed in ${bare.elapsedMs.toFixed(0)} ms (${bare.committedPerSecond.toFixed(0)}/s); ` +
        `${bare.stale} stale, ${bare.failed} failed${bare.firstError ? ` (${bare.firstError})` : ''}`,
    );
    phases.push({ ...run.phase, bare: { ...bare, cpu } });
  }

  const report: StampedeReport = {
    settings,
    date: new Date(),
    loadBefore,
    phases,
    audit: {
      doubleBooked: doubleBooked.size,
      lostReservations: audit.lostReservations.length,
      inconsistentTickets: audit.inconsistentTickets.length,
      counterDrift: {
        total: audit.counters.totalTickets - audit.counters.countedTotal,
        available: audit.counters.availableTickets - audit.counters.countedAvailable,
      },
    },
    replicaPeakRssKb,
  };
  const expiry: ExpiryReport = {
    date: report.date,
    holds: expiring.length,
    ticketsReturned: phase2.phase.ticketsReserved,
    expiredChanges,
    allExpiredMs: allExpiredAtMs,
    withExpiries: phase3.phase,
    without: phase2.phase,
  };
  printTable(report);
  printExpiryTable(expiry);
  if (writeDoc) {
    writeSection(SECTION, markdownSection(report));
    writeSection(EXPIRY_SECTION, expiryMarkdownSection(expiry));
  }
  for (const phase of phases) {
    log(
      `${phase.name}: committed rate ${(phase.committedPerSecond / phase.bare.committedPerSecond).toFixed(2)}× the bare database's`,
    );
  }
  if (
    report.audit.doubleBooked > 0 ||
    report.audit.lostReservations > 0 ||
    report.audit.inconsistentTickets > 0
  ) {
    process.exitCode = 1;
    console.error('bench:stampede: tickets double-booked or acknowledged reservations lost (see table)');
  }
}

runBenchmark('bench:stampede', timeoutS, cleanups, main);
