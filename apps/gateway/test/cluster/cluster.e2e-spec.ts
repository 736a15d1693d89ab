/**
 * Two real gateway processes (dist/main.js) on one fresh MariaDB database and one Redis, with real
 * socket.io-client sockets on both: changes reach every client exactly once, in order, and nothing is
 * double-booked or lost, even when a replica dies. Needs MariaDB and Redis on
 * 127.0.0.1 (see README, Testing); builds the gateway first when its dist is stale.
 */
import type { Ack, ReservationView } from '@tickets/protocol';
import { ApiClient, ApiError } from './api-client';
import { auditBookings } from './booking-audit';
import { EventClient, unwrap } from './event-client';
import { expectEventually } from '../support/expect-eventually';
import { GatewayCluster } from './gateway-cluster';

const REDIS_DB = 13;
/** How long a broadcast, failover or resync may take to show up: a liveness bound, not a speed goal. */
const BROADCAST_BOUND = 30_000;

let cluster: GatewayCluster | undefined;
let admin: ApiClient;
let urls: string[];
const openClients: EventClient[] = [];

function versionsOf(client: EventClient, from = 0): number[] {
  return client.changes.slice(from).map((change) => change.version);
}

const ascending = (ids: number[]): number[] => [...ids].sort((a, b) => a - b);

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);
}

async function attendeeTokens(count: number, label: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let first = 0; first < count; first += 10) {
    const batch = range(first, Math.min(count, first + 10) - 1).map((index) =>
      new ApiClient(urls[index % urls.length]).registerAttendee(`${label}${index}`),
    );
    tokens.push(...(await Promise.all(batch)).map((auth) => auth.accessToken));
  }
  return tokens;
}

/** One client per token, alternating between the replicas (even → A, odd → B), all joined. */
async function joinedClients(
  tokens: string[],
  eventId: number,
): Promise<{ clients: EventClient[]; version: number }> {
  const clients = await Promise.all(
    tokens.map((token, index) => EventClient.connect(urls, token, index % urls.length)),
  );
  openClients.push(...clients);
  const snapshots = await Promise.all(clients.map((client) => client.join(eventId)));
  const versions = new Set(snapshots.map((snapshot) => snapshot.version));
  expect(versions.size).toBe(1);
  return { clients, version: snapshots[0].version };
}

async function ticketValues(eventId: number): Promise<Map<number, number>> {
  const tickets = await admin.allTickets(eventId);
  return new Map(tickets.map((ticket) => [ticket.id, ticket.value]));
}

beforeAll(async () => {
  cluster = await GatewayCluster.start({ owner: 'cluster_e2e', replicas: 2, redisDb: REDIS_DB });
  urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[0]);
  admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
}, 240_000);

afterEach(() => {
  for (const client of openClients.splice(0)) client.close();
});

afterAll(async () => {
  for (const client of openClients.splice(0)) client.close();
  await cluster?.stop();
}, 60_000);

describe('a two-replica gateway cluster', () => {
  it('delivers a change committed through either replica exactly once, in version order, to clients on both', async () => {
    const event = await admin.createEvent('fan-out');
    await admin.bulkCreateTickets(event.id, { count: 300, minValue: 1, maxValue: 30 });
    const tokens = await attendeeTokens(6, 'fanout');
    const { clients, version: joined } = await joinedClients(tokens, event.id);
    const [onA, onB] = [clients[0], clients[1]];
    expect([onA.url, onB.url]).toEqual(urls);
    const [first, second, third] = (await admin.levels(event.id, 0, 3)).rows.map((row) => row.level);

    const throughA = unwrap(await onA.reserve(event.id, first, 'fan-out-1'));
    await expectEventually(() => {
      for (const client of clients) expect(versionsOf(client)).toEqual([joined + 1]);
    }, BROADCAST_BOUND);
    for (const client of clients) {
      expect(client.changes[0]).toMatchObject({ eventId: event.id, cause: 'reserved', version: joined + 1 });
      expect(ascending(client.changes[0].ticketIds)).toEqual(ascending(throughA.ticketIds));
    }

    const throughB = unwrap(await onB.reserve(event.id, second, 'fan-out-2'));
    // A third change over REST on A: any late duplicate of the first two would show up before it.
    const overRest = await new ApiClient(urls[0], tokens[2]).request<ReservationView>(
      'POST',
      `/events/${event.id}/reservations`,
      {
        level: third,
        requestId: 'fan-out-3',
      },
    );
    await expectEventually(() => {
      for (const client of clients) expect(versionsOf(client)).toEqual([joined + 1, joined + 2, joined + 3]);
    }, BROADCAST_BOUND);
    for (const client of clients) {
      expect(ascending(client.changes[1].ticketIds)).toEqual(ascending(throughB.ticketIds));
      expect(ascending(client.changes[2].ticketIds)).toEqual(ascending(overRest.ticketIds));
      expect(client.changes[2].availableTickets).toBe(
        300 - throughA.ticketIds.length - throughB.ticketIds.length - overRest.ticketIds.length,
      );
    }
  }, 120_000);

  it('never double-books a ticket when 40 clients on both replicas race for the same few levels', async () => {
    const event = await admin.createEvent('race');
    const values = [1, 1, 2, 2, 3, 3, 4, 4];
    await admin.bulkCreateTickets(event.id, { tickets: values.map((value) => ({ value })) });
    const levels = (await admin.levels(event.id, 0, 3)).rows.map((row) => row.level);
    expect(levels).toHaveLength(3);
    const tokens = await attendeeTokens(40, 'racer');
    const { clients, version: joined } = await joinedClients(tokens, event.id);

    const acks: Ack<ReservationView>[] = await Promise.all(
      clients.map((client, index) =>
        client.reserve(event.id, levels[index % levels.length], `race-${index}`),
      ),
    );

    const won = acks.flatMap((ack) => (ack.ok ? [ack.data] : []));
    const lostCodes = new Set(acks.flatMap((ack) => (ack.ok ? [] : [ack.error.code])));
    expect(won.length).toBeGreaterThan(0);
    expect(won.length).toBeLessThan(clients.length); // 40 × at least 1 exceeds the 20 the tickets add up to
    expect([...lostCodes].filter((code) => code !== 'LEVEL_UNAVAILABLE' && code !== 'CONFLICT')).toEqual([]);

    const ticketIds = won.flatMap((reservation) => reservation.ticketIds);
    expect(new Set(ticketIds).size).toBe(ticketIds.length);
    const valueOf = await ticketValues(event.id);
    for (const reservation of won) {
      expect(reservation.ticketIds.reduce((sum, id) => sum + (valueOf.get(id) ?? NaN), 0)).toBe(
        reservation.level,
      );
    }

    const reserved = await admin.allTickets(event.id, 'reserved');
    expect(ascending(reserved.map((ticket) => ticket.id))).toEqual(ascending(ticketIds));
    const holder = new Map(
      won.flatMap((reservation) => reservation.ticketIds.map((id) => [id, reservation.id] as const)),
    );
    for (const ticket of reserved) expect(ticket.reservationId).toBe(holder.get(ticket.id));

    const audit = await auditBookings(cluster!.database, event.id, won);
    expect(audit.doubleBookedTickets).toEqual([]);
    expect(audit.inconsistentTickets).toEqual([]);
    expect(audit.lostReservations).toEqual([]);
    expect(audit.activeReservations).toBe(won.length);
    // One audit entry per committed reservation; the transactions rolled back on a taken witness left none.
    expect((await admin.audit({ eventId: event.id, action: 'reservation.held' })).total).toBe(won.length);
    expect(audit.counters).toMatchObject({
      totalTickets: values.length,
      countedTotal: values.length,
      availableTickets: values.length - ticketIds.length,
      countedAvailable: values.length - ticketIds.length,
      version: joined + won.length,
    });

    // One change per won reservation; every client ends on the same version, having seen each once.
    await expectEventually(() => {
      for (const client of clients)
        expect(versionsOf(client)).toEqual(range(joined + 1, joined + won.length));
    }, BROADCAST_BOUND);
    expect(new Set(clients.map((client) => client.version)).size).toBe(1);
  }, 180_000);

  it("never lets one user exceed an event's limits with concurrent requests on both replicas, REST and socket", async () => {
    const limits = { holdsPerUser: 2, ticketsPerUser: 5, ticketsPerReservation: 3 };
    const event = await admin.createEvent('limits', { limits });
    // Every value is 1: level k takes k tickets.
    await admin.bulkCreateTickets(event.id, { count: 60, minValue: 1, maxValue: 1 });
    const auth = await new ApiClient(urls[0]).registerAttendee('greedy');
    const sockets = await Promise.all(
      urls.map((_, index) => EventClient.connect(urls, auth.accessToken, index)),
    );
    openClients.push(...sockets);
    const rest = urls.map((url) => new ApiClient(url, auth.accessToken));
    const attempts = Array.from({ length: 24 }, (_, index) => ({
      level: 1 + (index % 3),
      requestId: `greedy-${index}`,
      replica: index % 2,
      viaSocket: index % 4 >= 2,
    }));
    const outcomes = await Promise.all(
      attempts.map(async ({ level, requestId, replica, viaSocket }): Promise<Ack<ReservationView>> => {
        if (viaSocket) return sockets[replica].reserve(event.id, level, requestId);
        return rest[replica].reserve(event.id, level, requestId).then(
          (data) => ({ ok: true, data }),
          (error: unknown) => {
            if (!(error instanceof ApiError) || !error.body) throw error;
            return {
              ok: false,
              error: { code: error.body.code, message: error.body.message, limit: error.body.limit },
            };
          },
        );
      }),
    );
    const won = outcomes.flatMap((ack) => (ack.ok ? [ack.data] : []));
    const refused = outcomes.flatMap((ack) => (ack.ok ? [] : [ack.error]));
    expect(won.length).toBeGreaterThan(0);
    expect(won.length).toBeLessThanOrEqual(limits.holdsPerUser);
    expect(won.reduce((sum, reservation) => sum + reservation.ticketCount, 0)).toBeLessThanOrEqual(
      limits.ticketsPerUser,
    );
    expect(refused.map((error) => error.code).filter((code) => code !== 'LIMIT_REACHED')).toEqual([]);
    expect(refused.every((error) => error.limit === 'holdsPerUser' || error.limit === 'ticketsPerUser')).toBe(
      true,
    );

    // The database agrees, and a refused request left nothing behind: not a row, not an audit entry.
    const audit = await auditBookings(cluster!.database, event.id, won);
    expect(audit.activeReservations).toBe(won.length);
    expect(audit.lostReservations).toEqual([]);
    expect(audit.doubleBookedTickets).toEqual([]);
    expect(audit.reservedTickets).toBe(won.reduce((sum, reservation) => sum + reservation.ticketCount, 0));
    const held = await admin.audit({ eventId: event.id, action: 'reservation.held' });
    expect(held.total).toBe(won.length);
    // A level above the per-reservation limit is refused by name, whatever the other limits say.
    const tooBig = await rest[0].reserve(event.id, 4, 'greedy-too-big').catch((error: unknown) => error);
    expect(tooBig).toBeInstanceOf(ApiError);
    expect((tooBig as ApiError).body).toMatchObject({
      code: 'LIMIT_REACHED',
      limit: 'ticketsPerReservation',
    });
  }, 120_000);

  it('loses no acknowledged reservation when a replica is SIGKILLed mid-run, and its clients resynchronise on the other', async () => {
    const event = await admin.createEvent('crash');
    await admin.bulkCreateTickets(event.id, { count: 2000, minValue: 1, maxValue: 50 });
    const levels = (await admin.levels(event.id, 0, 30)).rows.map((row) => row.level);
    const tokens = await attendeeTokens(12, 'survivor');
    const { clients, version: joined } = await joinedClients(tokens, event.id);
    const [replicaA, replicaB] = cluster!.replicas;
    const onA = clients.filter((client) => client.url === replicaA.url);
    const onB = clients.filter((client) => client.url === replicaB.url);
    expect(onA).toHaveLength(6);
    expect(onB).toHaveLength(6);

    const acknowledged: ReservationView[] = [];
    const ackedAfterCrash = new Map<EventClient, number>();
    let crashed = false;
    let running = true;
    const reserveLoops = clients.map(async (client, index) => {
      for (let attempt = 0; running; attempt += 1) {
        try {
          const ack = await client.reserve(
            event.id,
            levels[(index + attempt) % levels.length],
            `crash-${index}-${attempt}`,
          );
          if (ack.ok) acknowledged.push(ack.data);
          if (ack.ok && crashed) ackedAfterCrash.set(client, (ackedAfterCrash.get(client) ?? 0) + 1);
        } catch {
          // The connection dropped with the request in flight: its outcome is unknown to the client.
          await client.settled();
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    });

    try {
      await expectEventually(() => expect(acknowledged.length).toBeGreaterThanOrEqual(20), BROADCAST_BOUND);
      const ackedBeforeCrash = acknowledged.length;
      await replicaB.crash();
      crashed = true;
      expect(replicaB.alive).toBe(false);

      await expectEventually(() => {
        for (const client of onB) {
          expect(client.resyncs).toHaveLength(1);
          expect(client.resyncs[0].toUrl).toBe(replicaA.url);
          expect(client.connected).toBe(true);
        }
      }, BROADCAST_BOUND);
      // Reservations keep flowing through the survivor, also from the clients that moved.
      await expectEventually(() => {
        expect(acknowledged.length).toBeGreaterThanOrEqual(ackedBeforeCrash + 20);
        for (const client of onB) expect(ackedAfterCrash.get(client) ?? 0).toBeGreaterThan(0);
      }, BROADCAST_BOUND);
    } finally {
      running = false;
      await Promise.all(reserveLoops);
    }

    const audit = await auditBookings(cluster!.database, event.id, acknowledged);
    expect(audit.lostReservations).toEqual([]);
    expect(audit.doubleBookedTickets).toEqual([]);
    expect(audit.inconsistentTickets).toEqual([]);
    expect(audit.counters.availableTickets).toBe(audit.counters.countedAvailable);
    expect(audit.activeReservations).toBeGreaterThanOrEqual(acknowledged.length);
    const finalVersion = audit.counters.version;
    expect(finalVersion).toBe(joined + audit.activeReservations);

    // Everyone ends on the database's version; the survivor's clients saw every change once, in order.
    await expectEventually(() => {
      for (const client of clients) expect(client.version).toBe(finalVersion);
    }, BROADCAST_BOUND);
    for (const client of onA) expect(versionsOf(client)).toEqual(range(joined + 1, finalVersion));
    for (const client of onB) {
      const [resync] = client.resyncs;
      // The join after the move answers the current state, never an older one...
      expect(resync.snapshot.version).toBeGreaterThanOrEqual(resync.lastVersionBefore ?? joined);
      // ...and from there on the client gets every later change exactly once, in order.
      const after = versionsOf(client, resync.firstChangeIndex).filter(
        (version) => version > resync.snapshot.version,
      );
      expect(after).toEqual(range(resync.snapshot.version + 1, finalVersion));
    }
  }, 240_000);
});
