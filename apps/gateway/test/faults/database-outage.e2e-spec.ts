/**
 * The database becomes unreachable under a steady load of reservations on two replicas, then comes
 * back. The replicas reach MariaDB through a TcpProxy that kills every connection and refuses new
 * ones (the machine's MariaDB keeps serving the other tests). While it is gone every reservation is
 * answered, UNAVAILABLE, within a bound (no request hangs), and /readyz answers 503; afterwards the
 * replicas serve again by themselves, nothing is half-written (every ticket row agrees with the
 * reservations, the counters with the rows), retrying a refused request with its requestId
 * commits it at most once, and every client ends on the database's version.
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
const clients: EventClient[] = [];

const range = (first: number, last: number): number[] => Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);

async function readiness(url: string): Promise<{ status: number; body: ReadinessResponse }> {
  const response = await fetch(`${url}/api/readyz`, { signal: AbortSignal.timeout(BOUND) });
  return { status: response.status, body: (await response.json()) as ReadinessResponse };
}

beforeAll(async () => {
  proxy = await TcpProxy.start(MYSQL.hostname, Number(MYSQL.port || 3306));
  cluster = await GatewayCluster.start({ owner: 'database_outage_e2e', replicas: 2, redisDb: REDIS_DB, through: { databasePort: proxy.port }, env: { FEED_POLL_MS: '500' } });
  urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[0]);
  admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
}, 240_000);

afterAll(async () => {
  for (const client of clients) client.close();
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

it('answers UNAVAILABLE within a bound while the database is unreachable, writes nothing half, and resumes by itself', async () => {
  const event = await admin.createEvent('database outage');
  await admin.bulkCreateTickets(event.id, { count: 3000, minValue: 1, maxValue: 40 });
  const levels = (await admin.levels(event.id, 0, 30)).rows.map((row) => row.level);
  const tokens = await Promise.all(range(0, 5).map(async (index) => (await new ApiClient(urls[index % 2]).registerAttendee(`patient${index}`)).accessToken));
  clients.push(...(await Promise.all(tokens.map((token, index) => EventClient.connect(urls, token, index % 2)))));
  const joined = (await Promise.all(clients.map((client) => client.join(event.id))))[0].version;

  let phase: Phase = 'before';
  const attempts: Attempt[] = [];
  const acknowledged = new Map<number, ReservationView>();
  const answered = (url: string, at: Phase, outcome: string): number =>
    attempts.filter((attempt) => urls[attempt.client % 2] === url && attempt.phase === at && attempt.outcome === outcome).length;
  const reserve = async (index: number, level: number, requestId: string, at: Phase): Promise<void> => {
    let ack: Ack<ReservationView> | null = null;
    try {
      ack = await clients[index].reserve(event.id, level, requestId);
    } catch {
      // No acknowledgement within the client's timeout: recorded, and the test fails on it below.
    }
    if (ack?.ok) acknowledged.set(ack.data.id, ack.data);
    attempts.push({ client: index, level, requestId, phase: at, outcome: ack === null ? 'no answer' : ack.ok ? 'ok' : ack.error.code });
  };
  let running = true;
  const loops = clients.map(async (_client, index) => {
    for (let attempt = 0; running; attempt += 1) {
      await reserve(index, levels[(index + attempt) % levels.length], `patient-${index}-${attempt}`, phase);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  });

  try {
    await expectEventually(() => {
      for (const url of urls) expect(answered(url, 'before', 'ok')).toBeGreaterThanOrEqual(5);
    }, BOUND);

    await proxy.cut();
    phase = 'outage';
    await expectEventually(async () => {
      for (const url of urls) {
        const { status, body } = await readiness(url);
        expect({ status, state: body.status, database: body.database }).toEqual({ status: 503, state: 'unavailable', database: 'down' });
      }
    }, BOUND);
    await expectEventually(() => {
      for (const url of urls) expect(answered(url, 'outage', 'UNAVAILABLE')).toBeGreaterThanOrEqual(5);
    }, BOUND);
    // REST too: a 503 with the code, not a hang or a 500.
    for (const [index, url] of urls.entries()) {
      const response = await fetch(`${url}/api/events/${event.id}/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[index]}` },
        body: JSON.stringify({ level: levels[0], requestId: `rest-outage-${index}` }),
        signal: AbortSignal.timeout(BOUND),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { code: string }).code).toBe('UNAVAILABLE');
    }

    await proxy.restore();
    phase = 'after';
    await expectEventually(async () => {
      for (const url of urls) {
        const { status, body } = await readiness(url);
        expect({ status, state: body.status, database: body.database }).toEqual({ status: 200, state: 'ok', database: 'up' });
      }
    }, BOUND);
    await expectEventually(() => {
      for (const url of urls) expect(answered(url, 'after', 'ok')).toBeGreaterThanOrEqual(5);
    }, BOUND);
  } finally {
    running = false;
    await Promise.all(loops);
  }

  // Every attempt was answered, and only with what a client can act on.
  const outcomes = new Set(attempts.map((attempt) => attempt.outcome));
  expect([...outcomes].filter((outcome) => !['ok', 'UNAVAILABLE', 'LEVEL_UNAVAILABLE', 'CONFLICT'].includes(outcome))).toEqual([]);

  // A refused request retried with its requestId: a reservation that committed before the
  // connection died is answered again, never made twice.
  for (const attempt of attempts.filter((candidate) => candidate.outcome === 'UNAVAILABLE')) {
    await reserve(attempt.client, attempt.level, attempt.requestId, 'after');
  }

  const audit = await auditBookings(cluster!.database, event.id, [...acknowledged.values()]);
  expect(audit.lostReservations).toEqual([]);
  expect(audit.doubleBookedTickets).toEqual([]);
  expect(audit.inconsistentTickets).toEqual([]);
  expect(audit.counters.availableTickets).toBe(audit.counters.countedAvailable);
  expect(audit.counters.totalTickets).toBe(audit.counters.countedTotal);
  expect(audit.activeReservations).toBe(acknowledged.size);
  const finalVersion = audit.counters.version;
  expect(finalVersion).toBe(joined + acknowledged.size);

  await expectEventually(() => {
    for (const client of clients) expect(client.version).toBe(finalVersion);
  }, BOUND);
  for (const client of clients) expect(client.changes.map((change) => change.version)).toEqual(range(joined + 1, finalVersion));
}, 240_000);
