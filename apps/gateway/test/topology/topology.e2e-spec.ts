/**
 * The production topology of docker-compose.yml with real processes instead of containers: Debian's
 * nginx, configured from deploy/nginx.conf.template, in front of two gateway replicas (dist/main.js)
 * on one MariaDB database and one Redis. Clients reach the gateway only through nginx: REST, the
 * web app's files and WebSockets. One replica gets SIGTERM under load and drains; then a third
 * replica joins the balancer and new clients reach it. Needs MariaDB and Redis on 127.0.0.1 and
 * /usr/sbin/nginx (see README, Testing).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ack, ReservationView } from '@tickets/protocol';
import { ApiClient } from '../cluster/api-client';
import { auditBookings } from '../cluster/booking-audit';
import { EventClient, unwrap } from '../cluster/event-client';
import { GatewayCluster } from '../cluster/gateway-cluster';
import { freePort } from '../cluster/gateway-process';
import { expectEventually } from '../support/expect-eventually';
import { NginxBalancer } from './nginx-balancer';

const REDIS_DB = 10;
/** How long a failover, resync or broadcast may take to show up: a liveness bound, not a speed goal. */
const LIVENESS_BOUND = 30_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

let cluster: GatewayCluster | undefined;
let balancer: NginxBalancer | undefined;
let admin: ApiClient;
const webDir = mkdtempSync(join(tmpdir(), 'topology-web-'));
const openClients: EventClient[] = [];

function addressOf(url: string): string {
  return new URL(url).host;
}

async function attendeeTokens(count: number, label: string): Promise<string[]> {
  const api = new ApiClient(balancer!.url);
  const auths = await Promise.all(
    Array.from({ length: count }, (_, index) => api.registerAttendee(`${label}${index}`)),
  );
  return auths.map((auth) => auth.accessToken);
}

/** Clients connected through nginx, each joined to the event. */
async function joinedClients(tokens: string[], eventId: number): Promise<EventClient[]> {
  const clients: EventClient[] = [];
  // One after the other: nginx's round robin then alternates them between the replicas.
  for (const token of tokens) {
    const client = await EventClient.connect([balancer!.url], token);
    openClients.push(client);
    await client.join(eventId);
    clients.push(client);
  }
  return clients;
}

beforeAll(async () => {
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Tickets</title><div id="app"></div>');
  writeFileSync(join(webDir, 'assets', 'index-Topo12.js'), 'console.log("topology")');
  cluster = await GatewayCluster.start({
    owner: 'topology_e2e',
    replicas: 2,
    redisDb: REDIS_DB,
    env: { WEB_DIR: webDir, TRUST_PROXY: '1', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
  });
  balancer = await NginxBalancer.start(
    await freePort(),
    cluster.replicas.map((replica) => addressOf(replica.url)),
  );
  const api = new ApiClient(balancer.url);
  admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
}, 240_000);

afterAll(async () => {
  for (const client of openClients.splice(0)) client.close();
  await balancer?.stop();
  await cluster?.stop();
  rmSync(webDir, { recursive: true, force: true });
}, 60_000);

describe('gateway replicas behind nginx (deploy/nginx.conf.template)', () => {
  it('serves the web app, the API and sockets through the balancer, from both replicas', async () => {
    const page = await fetch(`${balancer!.url}/events/1`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const asset = await fetch(`${balancer!.url}/assets/index-Topo12.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${balancer!.url}/api/readyz`)).status).toBe(200);

    const event = await admin.createEvent('through nginx');
    await admin.bulkCreateTickets(event.id, { count: 50, minValue: 1, maxValue: 10 });
    const clients = await joinedClients(await attendeeTokens(2, 'door'), event.id);
    const [level] = (await admin.levels(event.id, 0, 1)).rows.map((row) => row.level);
    const reservation = unwrap(await clients[0].reserve(event.id, level, 'door-1'));
    await expectEventually(() => {
      for (const client of clients)
        expect(client.changes.map((change) => [change.cause, change.ticketIds.length])).toEqual([
          ['reserved', reservation.ticketCount],
        ]);
    }, LIVENESS_BOUND);
    expect(new Set(clients.map((client) => client.version)).size).toBe(1);
    for (const client of clients) client.close();

    // nginx spread the requests over both replicas (its own record of who served each).
    const served = new Set(balancer!.accessLog().flatMap((line) => line.upstreams));
    expect(served).toEqual(new Set(cluster!.replicas.map((replica) => addressOf(replica.url))));
  }, 120_000);

  it('drains a replica on SIGTERM under load: nothing lost or double-booked, its clients move, a third replica takes new clients', async () => {
    const event = await admin.createEvent('rolling');
    await admin.bulkCreateTickets(event.id, { count: 2000, minValue: 1, maxValue: 50 });
    const levels = (await admin.levels(event.id, 0, 30)).rows.map((row) => row.level);
    const clients = await joinedClients(await attendeeTokens(10, 'roller'), event.id);
    const [replicaA, replicaB] = cluster!.replicas;

    /** Every answer a client got, by requestId: a retried request must get the same one. */
    const answers = new Map<string, Ack<ReservationView>>();
    let stopped = false;
    let running = true;
    const ackedAfterStop = new Map<EventClient, number>();

    /** Reserves until told to stop; a request whose answer was lost with its connection is sent again (same requestId) once the client is back. */
    const reserveLoop = async (client: EventClient, index: number): Promise<void> => {
      for (let attempt = 0; running; attempt += 1) {
        const requestId = `roll-${index}-${attempt}`;
        const level = levels[(index + attempt) % levels.length];
        for (;;) {
          try {
            const ack = await client.reserve(event.id, level, requestId);
            answers.set(requestId, ack);
            if (ack.ok && stopped) ackedAfterStop.set(client, (ackedAfterStop.get(client) ?? 0) + 1);
            break;
          } catch {
            // The answer was lost with the connection (a message on the wire as the replica closed
            // it is never read): once the client is back, the same requestId gets the outcome.
            await client.settled();
            if (!client.connected) await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const loops = clients.map((client, index) => reserveLoop(client, index));
    const acknowledged = (): ReservationView[] =>
      [...answers.values()].flatMap((ack) => (ack.ok ? [ack.data] : []));

    try {
      await expectEventually(() => expect(acknowledged().length).toBeGreaterThanOrEqual(20), LIVENESS_BOUND);
      const ackedBeforeStop = acknowledged().length;
      await replicaB.stop(SHUTDOWN_TIMEOUT_MS + 10_000);
      stopped = true;
      // It drained in time: neither the drain budget nor SHUTDOWN_TIMEOUT_MS ran out.
      expect(replicaB.logs()).not.toMatch(/cut short|still closing/);

      // Its clients were sent away, came back through nginx (to A) and resynchronised.
      const moved = clients.filter((client) => client.resyncs.length > 0);
      await expectEventually(() => {
        expect(clients.filter((client) => client.resyncs.length > 0).length).toBeGreaterThan(0);
        for (const client of clients) expect(client.connected).toBe(true);
      }, LIVENESS_BOUND);
      await expectEventually(() => {
        expect(acknowledged().length).toBeGreaterThanOrEqual(ackedBeforeStop + 20);
        for (const client of moved) expect(ackedAfterStop.get(client) ?? 0).toBeGreaterThan(0);
      }, LIVENESS_BOUND);

      // Scale out: a third replica, and nginx told about it (compose: the DNS answer changes).
      const replicaC = await cluster!.addReplica();
      await balancer!.reload([replicaA, replicaC].map((replica) => addressOf(replica.url)));
      const newcomers = await joinedClients(await attendeeTokens(4, 'newcomer'), event.id);
      for (const [index, client] of newcomers.entries()) {
        const ack = await client.reserve(event.id, levels[index], `newcomer-${index}`);
        answers.set(`newcomer-${index}`, ack);
      }
      for (const client of newcomers) client.close();
      await expectEventually(() => {
        const sockets = balancer!.accessLog().filter((line) => line.uri.startsWith('/socket.io/'));
        expect(sockets.some((line) => line.upstreams.includes(addressOf(replicaC.url)))).toBe(true);
      }, LIVENESS_BOUND);
    } finally {
      running = false;
      await Promise.all(loops);
    }

    // Every committed reservation was answered to its client (retries of a lost answer got the same
    // one), none was lost, no ticket is held twice, and the counters agree with the tickets.
    const audit = await auditBookings(cluster!.database, event.id, acknowledged());
    expect(audit.lostReservations).toEqual([]);
    expect(audit.doubleBookedTickets).toEqual([]);
    expect(audit.inconsistentTickets).toEqual([]);
    expect(audit.counters.availableTickets).toBe(audit.counters.countedAvailable);
    expect(audit.activeReservations).toBe(new Set(acknowledged().map((reservation) => reservation.id)).size);

    // Every client that stayed connected ends on the database's version.
    await expectEventually(() => {
      for (const client of clients) expect(client.version).toBe(audit.counters.version);
    }, LIVENESS_BOUND);
  }, 300_000);
});
