/**
 * Redis goes away for about ten seconds under a steady load of reservations on two replicas, then
 * comes back, in two ways: stopped (connections killed, new ones refused) and partitioned away
 * (connections open but silent: commands fail after REDIS_COMMAND_TIMEOUT_MS instead of hanging).
 * The replicas reach Redis through a TcpProxy (the machine's Redis keeps serving the other tests). While it is gone: reservations keep committing in the database on both replicas,
 * the other replica learns of them from the outbox poll, and /readyz answers 200 `degraded` with
 * Redis `down` (a balancer keeps the replicas). Afterwards: both replicas and every client are on
 * the database's version, each client saw every change once, in order, and no acknowledged
 * reservation is lost or double-booked.
 *
 * The other faults: a database outage in database-outage.e2e-spec.ts; a replica SIGKILLed during
 * reservations in ../cluster/cluster.e2e-spec.ts ("loses no acknowledged reservation when a
 * replica is SIGKILLed mid-run").
 */
import type { ReadinessResponse, ReservationView } from '@tickets/protocol';
import { ApiClient } from '../cluster/api-client';
import { auditBookings } from '../cluster/booking-audit';
import { EventClient } from '../cluster/event-client';
import { GatewayCluster } from '../cluster/gateway-cluster';
import { expectEventually } from '../support/expect-eventually';
import { TEST_REDIS_URL } from '../support/test-database';
import { TcpProxy } from './tcp-proxy';

const REDIS_DB = 9;
const OUTAGE_MS = 10_000;
/** A liveness bound for what must happen during and after the outage, not a speed goal. */
const BOUND = 30_000;

let proxy: TcpProxy;
let cluster: GatewayCluster | undefined;
let urls: string[];
let admin: ApiClient;
const openClients: EventClient[] = [];

const range = (first: number, last: number): number[] =>
  Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);

async function readiness(url: string): Promise<{ status: number; body: ReadinessResponse }> {
  const response = await fetch(`${url}/api/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as ReadinessResponse };
}

/** tickets_feed_lag_versions of one scrape. */
function feedLag(exposition: string): number {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith('tickets_feed_lag_versions '));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

beforeAll(async () => {
  const redis = new URL(TEST_REDIS_URL);
  proxy = await TcpProxy.start(redis.hostname, Number(redis.port || 6379));
  cluster = await GatewayCluster.start({
    owner: 'redis_outage_e2e',
    replicas: 2,
    redisDb: REDIS_DB,
    through: { redisPort: proxy.port },
    // A reservation limit that counts in Redis, so the outage takes its memory fallback too.
    env: { FEED_POLL_MS: '500', RESERVE_RATE_LIMIT: '1000' },
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

it.each([
  ['stops (connections killed, new ones refused)', 'stopped', (): Promise<void> => proxy.cut()],
  [
    'is partitioned away (connections open but silent)',
    'partitioned',
    (): Promise<void> => Promise.resolve(proxy.freeze()),
  ],
])(
  'keeps committing reservations while Redis %s, reports degraded, and converges once it is back',
  async (_how, label, takeAway) => {
    const event = await admin.createEvent(`redis ${label}`);
    await admin.bulkCreateTickets(event.id, { count: 3000, minValue: 1, maxValue: 40 });
    const levels = (await admin.levels(event.id, 0, 30)).rows.map((row) => row.level);
    const tokens = await Promise.all(
      range(0, 7).map(
        async (index) =>
          (await new ApiClient(urls[index % 2]).registerAttendee(`${label}${index}`)).accessToken,
      ),
    );
    const clients = await Promise.all(
      tokens.map((token, index) => EventClient.connect(urls, token, index % 2)),
    );
    openClients.push(...clients);
    const joined = (await Promise.all(clients.map((client) => client.join(event.id))))[0].version;

    type Phase = 'before' | 'outage' | 'after';
    let phase: Phase = 'before';
    const acknowledged: ReservationView[] = [];
    const acked = new Map<string, number>();
    const count = (url: string, at: Phase): number => acked.get(`${url} ${at}`) ?? 0;
    const refusals: string[] = [];
    let running = true;
    const loops = clients.map(async (client, index) => {
      for (let attempt = 0; running; attempt += 1) {
        const at = phase;
        const ack = await client.reserve(
          event.id,
          levels[(index + attempt) % levels.length],
          `${label}-${index}-${attempt}`,
        );
        if (ack.ok) {
          acknowledged.push(ack.data);
          acked.set(`${client.url} ${at}`, count(client.url, at) + 1);
        } else if (ack.error.code !== 'LEVEL_UNAVAILABLE' && ack.error.code !== 'CONFLICT') {
          refusals.push(ack.error.code);
        }
        // A steady load: about six reservations a second per client.
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    });

    try {
      await expectEventually(() => {
        for (const url of urls) expect(count(url, 'before')).toBeGreaterThanOrEqual(5);
      }, BOUND);

      await takeAway();
      phase = 'outage';
      const outage = new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await expectEventually(async () => {
        for (const url of urls) {
          const { status, body } = await readiness(url);
          expect({ status, state: body.status, redis: body.redis, database: body.database }).toEqual({
            status: 200,
            state: 'degraded',
            redis: 'down',
            database: 'up',
          });
        }
      }, BOUND);
      await expectEventually(() => {
        for (const url of urls) expect(count(url, 'outage')).toBeGreaterThanOrEqual(10);
      }, BOUND);
      // Changes committed on one replica reach the other's clients without the feed (outbox poll).
      // The feed-lag metric shows it: at its outbox poll a replica finds itself behind the database.
      await expectEventually(async () => {
        const lags = await Promise.all(
          urls.map(async (url) => feedLag(await (await fetch(`${url}/metrics`)).text())),
        );
        expect(Math.max(...lags)).toBeGreaterThan(0);
      }, BOUND);
      const ackedSoFar = acknowledged.length;
      await expectEventually(() => {
        for (const client of clients) expect(client.changes.length).toBeGreaterThanOrEqual(ackedSoFar);
      }, BOUND);
      await outage;

      await proxy.restore();
      phase = 'after';
      await expectEventually(async () => {
        for (const url of urls) {
          const { status, body } = await readiness(url);
          expect({ status, state: body.status, redis: body.redis }).toEqual({
            status: 200,
            state: 'ok',
            redis: 'up',
          });
        }
      }, BOUND);
      await expectEventually(() => {
        for (const url of urls) expect(count(url, 'after')).toBeGreaterThanOrEqual(5);
      }, BOUND);
    } finally {
      running = false;
      await Promise.all(loops);
    }

    expect(refusals).toEqual([]);
    const audit = await auditBookings(cluster!.database, event.id, acknowledged);
    expect(audit.lostReservations).toEqual([]);
    expect(audit.doubleBookedTickets).toEqual([]);
    expect(audit.inconsistentTickets).toEqual([]);
    expect(audit.counters.availableTickets).toBe(audit.counters.countedAvailable);
    expect(audit.activeReservations).toBe(acknowledged.length);
    const finalVersion = audit.counters.version;
    expect(finalVersion).toBe(joined + acknowledged.length);

    // Every client saw every change once, in order, whichever replica committed it.
    await expectEventually(() => {
      for (const client of clients)
        expect(client.changes.map((change) => change.version)).toEqual(range(joined + 1, finalVersion));
    }, BOUND);
    // Both replicas are on the database's version: a fresh join on each answers it.
    for (let index = 0; index < urls.length; index += 1) {
      const fresh = await EventClient.connect(urls, tokens[index], index);
      openClients.push(fresh);
      expect((await fresh.join(event.id)).version).toBe(finalVersion);
    }
  },
  240_000,
);
