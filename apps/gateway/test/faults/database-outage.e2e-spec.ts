/**
 * The database becomes unreachable under a steady load of reservations on two replicas, then comes
 * back, in two ways: every connection killed and new ones refused (a stopped server), and every
 * connection left open but silent (a network partition). The replicas reach MariaDB through a
 * TcpProxy (the machine's MariaDB keeps serving the other tests). While it is gone every
 * reservation is answered, UNAVAILABLE, within a bound (no request hangs; the partition is bounded
 * by REQUEST_TIMEOUT_MS), and /readyz answers 503; afterwards the replicas serve again by
 * themselves, nothing is half-written (every ticket row agrees with the reservations, the counters
 * with the rows), retrying a refused request with its requestId commits it at most once, and every
 * client ends on the database's version, having seen each change once, in order.
 *
 * Redis: redis-outage.e2e-spec.ts; a replica SIGKILLed: ../cluster/cluster.e2e-spec.ts.
 */
import type { Ack, ReadinessResponse, ReservationView } from '@tickets/protocol';
import { ApiClient } from '../cluster/api-client';
import { auditBookings } from '../cluster/booking-audit';
import { EventClient } from '../cluster/event-client';
import { GatewayCluster } from '../cluster/gateway-cluster';
import { expectEventually } from '../support/expect-eventually';
import { TcpProxy } from './tcp-proxy';

const REDIS_DB = 8;
const MYSQL = new URL(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
/** A liveness bound: an answer must come within it, however the database fails. Not a speed goal. */
const BOUND = 30_000;

let proxy: TcpProxy;
let cluster: GatewayCluster | undefined;
let urls: string[];
let admin: ApiClient;
const openClients: EventClient[] = [];

const range = (first: number, last: number): number[] =>
  Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);

async function readiness(url: string): Promise<{ status: number; body: ReadinessResponse }> {
  const response = await fetch(`${url}/api/readyz`, { signal: AbortSignal.timeout(BOUND) });
  return { status: response.status, body: (await response.json()) as ReadinessResponse };
}

async function expectReadiness(expected: {
  status: number;
  state: ReadinessResponse['status'];
  database: ReadinessResponse['database'];
}): Promise<void> {
  await expectEventually(async () => {
    for (const url of urls) {
      const { status, body } = await readiness(url);
      expect({ status, state: body.status, database: body.database }).toEqual(expected);
    }
  }, BOUND);
}

beforeAll(async () => {
  proxy = await TcpProxy.start(MYSQL.hostname, Number(MYSQL.port || 3306));
  cluster = await GatewayCluster.start({
    owner: 'database_outage_e2e',
    replicas: 2,
    redisDb: REDIS_DB,
    through: { databasePort: proxy.port },
    // A short deadline keeps the partition case quick; production's default is 15 s.
    env: { FEED_POLL_MS: '500', REQUEST_TIMEOUT_MS: '3000' },
  });
  urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[0]);
  admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
}, 240_000);

afterEach(() => {
  for (const client of openClients.splice(0)) client.close();
});

afterAll(async () => {
  await proxy?.restore();
  await cluster?.stop();
  await proxy?.stop();
}, 60_000);

type Phase = 'before' | 'outage' | 'after';

interface Attempt {
  client: number;
  level: number;
  requestId: string;
  phase: Phase;
  /** 'ok', the error code, or 'no answer' (the acknowledgement never came: a hang). */
  outcome: string;
}

/** Six clients (three per replica) on a fresh event, each reserving about six times a second until stopped. */
async function steadyLoad(label: string) {
  const event = await admin.createEvent(label);
  await admin.bulkCreateTickets(event.id, { count: 3000, minValue: 1, maxValue: 40 });
  const levels = (await admin.levels(event.id, 0, 30)).rows.map((row) => row.level);
  const tokens = await Promise.all(
    range(0, 5).map(
      async (index) =>
        (await new ApiClient(urls[index % 2]).registerAttendee(`${label}${index}`)).accessToken,
    ),
  );
  const clients = await Promise.all(
    tokens.map((token, index) => EventClient.connect(urls, token, index % 2)),
  );
  openClients.push(...clients);
  const joined = (await Promise.all(clients.map((client) => client.join(event.id))))[0].version;

  const state = { phase: 'before' as Phase, running: true };
  const attempts: Attempt[] = [];
  const acknowledged = new Map<number, ReservationView>();
  const reserve = async (index: number, level: number, requestId: string, phase: Phase): Promise<void> => {
    let ack: Ack<ReservationView> | null = null;
    try {
      ack = await clients[index].reserve(event.id, level, requestId);
    } catch {
      // No acknowledgement within the client's timeout: recorded, and the test fails on it.
    }
    if (ack?.ok) acknowledged.set(ack.data.id, ack.data);
    attempts.push({
      client: index,
      level,
      requestId,
      phase,
      outcome: ack === null ? 'no answer' : ack.ok ? 'ok' : ack.error.code,
    });
  };
  const loops = clients.map(async (_client, index) => {
    for (let attempt = 0; state.running; attempt += 1) {
      await reserve(
        index,
        levels[(index + attempt) % levels.length],
        `${label}-${index}-${attempt}`,
        state.phase,
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  });
  return {
    event,
    levels,
    tokens,
    clients,
    joined,
    attempts,
    acknowledged,
    reserve,
    setPhase: (phase: Phase): void => {
      state.phase = phase;
    },
    answered: (url: string, phase: Phase, outcome: string): number =>
      attempts.filter(
        (attempt) =>
          urls[attempt.client % 2] === url && attempt.phase === phase && attempt.outcome === outcome,
      ).length,
    stop: async (): Promise<void> => {
      state.running = false;
      await Promise.all(loops);
    },
  };
}

type Load = Awaited<ReturnType<typeof steadyLoad>>;

async function expectAnswers(load: Load, phase: Phase, outcome: string, atLeast: number): Promise<void> {
  await expectEventually(() => {
    for (const url of urls) expect(load.answered(url, phase, outcome)).toBeGreaterThanOrEqual(atLeast);
  }, BOUND);
}

/**
 * After the outage: every attempt was answered with something a client can act on; retrying the
 * refused ones with their requestIds commits each at most once; the database is whole and every
 * client is on its version, having seen each change once, in order.
 */
async function expectRecovered(load: Load): Promise<void> {
  const outcomes = new Set(load.attempts.map((attempt) => attempt.outcome));
  expect(
    [...outcomes].filter(
      (outcome) => !['ok', 'UNAVAILABLE', 'LEVEL_UNAVAILABLE', 'CONFLICT'].includes(outcome),
    ),
  ).toEqual([]);
  expect(outcomes).toContain('UNAVAILABLE');

  for (const attempt of load.attempts.filter((candidate) => candidate.outcome === 'UNAVAILABLE')) {
    await load.reserve(attempt.client, attempt.level, attempt.requestId, 'after');
  }

  const audit = await auditBookings(cluster!.database, load.event.id, [...load.acknowledged.values()]);
  expect(audit.lostReservations).toEqual([]);
  expect(audit.doubleBookedTickets).toEqual([]);
  expect(audit.inconsistentTickets).toEqual([]);
  expect(audit.counters.availableTickets).toBe(audit.counters.countedAvailable);
  expect(audit.counters.totalTickets).toBe(audit.counters.countedTotal);
  expect(audit.activeReservations).toBe(load.acknowledged.size);
  const finalVersion = audit.counters.version;
  expect(finalVersion).toBe(load.joined + load.acknowledged.size);

  await expectEventually(() => {
    for (const client of load.clients) expect(client.version).toBe(finalVersion);
  }, BOUND);
  for (const client of load.clients)
    expect(client.changes.map((change) => change.version)).toEqual(range(load.joined + 1, finalVersion));
}

it('answers UNAVAILABLE at once while the database refuses connections, writes nothing half, and resumes by itself', async () => {
  const load = await steadyLoad('refused');
  try {
    await expectAnswers(load, 'before', 'ok', 5);
    await proxy.cut();
    load.setPhase('outage');
    await expectReadiness({ status: 503, state: 'unavailable', database: 'down' });
    await expectAnswers(load, 'outage', 'UNAVAILABLE', 5);
    // REST too: a 503 with the code, not a hang or a 500.
    for (const [index, url] of urls.entries()) {
      const response = await fetch(`${url}/api/events/${load.event.id}/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${load.tokens[index]}` },
        body: JSON.stringify({ level: load.levels[0], requestId: `rest-refused-${index}` }),
        signal: AbortSignal.timeout(BOUND),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { code: string }).code).toBe('UNAVAILABLE');
    }
    await proxy.restore();
    load.setPhase('after');
    await expectReadiness({ status: 200, state: 'ok', database: 'up' });
    await expectAnswers(load, 'after', 'ok', 5);
  } finally {
    await load.stop();
  }
  await expectRecovered(load);
}, 240_000);

it('answers UNAVAILABLE within the request deadline while the database is partitioned away, and resumes where it stopped', async () => {
  const load = await steadyLoad('partitioned');
  try {
    await expectAnswers(load, 'before', 'ok', 5);
    proxy.freeze();
    load.setPhase('outage');
    await expectReadiness({ status: 503, state: 'unavailable', database: 'down' });
    await expectAnswers(load, 'outage', 'UNAVAILABLE', 3);
    await proxy.restore();
    load.setPhase('after');
    await expectReadiness({ status: 200, state: 'ok', database: 'up' });
    await expectAnswers(load, 'after', 'ok', 5);
  } finally {
    await load.stop();
  }
  await expectRecovered(load);
}, 240_000);
