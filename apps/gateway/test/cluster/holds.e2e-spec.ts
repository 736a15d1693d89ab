/**
 * Holds across two real replicas with a short HOLD_TTL: both replicas sweep, every hold expires
 * exactly once however many sweep at once or die mid-sweep, its tickets come back exactly once to
 * every socket in version order, and a confirm racing the expiry has one winner.
 */
import type { AuditEntry, InventoryChanged, ReservationView } from '@tickets/protocol';
import type { RowDataPacket } from 'mysql2/promise';
import { ApiClient, ApiError } from './api-client';
import { auditBookings } from './booking-audit';
import { EventClient } from './event-client';
import { GatewayCluster } from './gateway-cluster';
import { expectEventually } from '../support/expect-eventually';

const REDIS_DB = 12;
/** How long expiries and their broadcasts may take to show up: a liveness bound, not a speed goal. */
const EXPIRY_BOUND = 60_000;

let cluster: GatewayCluster | undefined;
let admin: ApiClient;
let adminToken: string;
let urls: string[];
const openClients: EventClient[] = [];

beforeAll(async () => {
  cluster = await GatewayCluster.start({
    owner: 'holds_e2e',
    replicas: 2,
    redisDb: REDIS_DB,
    // Short holds, frequent sweeps on both replicas, and the warning a second before the end.
    env: { HOLD_TTL: '2', HOLD_SWEEP_MS: '100', HOLD_WARNING_SECONDS: '1' },
  });
  urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[0]);
  adminToken = (await api.login(cluster.admin.email, cluster.admin.password)).accessToken;
  admin = api.withToken(adminToken);
}, 240_000);

afterEach(() => {
  for (const client of openClients.splice(0)) client.close();
});

afterAll(async () => {
  for (const client of openClients.splice(0)) client.close();
  await cluster?.stop();
}, 60_000);

async function attendees(count: number, label: string): Promise<{ api: ApiClient; token: string }[]> {
  const registered = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      new ApiClient(urls[index % urls.length]).registerAttendee(`${label}${index}`),
    ),
  );
  return registered.map((auth, index) => ({
    api: new ApiClient(urls[index % urls.length], auth.accessToken),
    token: auth.accessToken,
  }));
}

/** Sockets joined to the event, alternating between the replicas. */
async function watchers(
  tokens: string[],
  eventId: number,
): Promise<{ clients: EventClient[]; joined: number }> {
  const clients = await Promise.all(
    tokens.map((token, index) => EventClient.connect(urls, token, index % urls.length)),
  );
  openClients.push(...clients);
  const snapshots = await Promise.all(clients.map((client) => client.join(eventId)));
  return { clients, joined: Math.max(...snapshots.map((snapshot) => snapshot.version)) };
}

async function statuses(eventId: number): Promise<Map<number, string>> {
  const rows = await cluster!.database.query<RowDataPacket>(
    'SELECT id, status FROM reservations WHERE event_id = ?',
    [eventId],
  );
  return new Map(rows.map((row) => [Number(row.id), String(row.status)]));
}

async function auditEntries(eventId: number): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (;;) {
    const page = await admin.audit({ eventId, offset: entries.length, limit: 200 });
    entries.push(...page.rows);
    if (page.rows.length === 0 || entries.length >= page.total) return entries;
  }
}

function countBy<T>(
  items: readonly T[],
  key: (item: T) => string | number | null,
): Map<string | number | null, number> {
  const counts = new Map<string | number | null, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const ascending = (ids: readonly number[]): number[] => [...ids].sort((a, b) => a - b);

/** Each client's changes from `joined` on: consecutive versions, no gap, no repeat. */
function expectInVersionOrder(client: EventClient, joined: number): void {
  const versions = client.changes.map((change) => change.version);
  expect(versions).toEqual(versions.map((_, index) => joined + 1 + index));
}

function expiredTicketIds(changes: readonly InventoryChanged[]): number[] {
  return changes.filter((change) => change.cause === 'expired').flatMap((change) => change.ticketIds);
}

describe('holds on a two-replica cluster', () => {
  it('expires every hold exactly once while both replicas sweep; every socket gets each ticket back once, in order; holders are warned, then told', async () => {
    const event = await admin.createEvent('expiring holds');
    await admin.bulkCreateTickets(event.id, { count: 60, minValue: 1, maxValue: 1 });
    const holders = await attendees(20, 'holder');
    const { clients, joined } = await watchers(
      holders.map((holder) => holder.token),
      event.id,
    );
    // Every value is 1: level k takes k tickets. Each holder holds twice, through both replicas.
    const held: ReservationView[] = [];
    for (const round of [0, 1]) {
      held.push(
        ...(await Promise.all(
          holders.map((holder, index) =>
            holder.api.reserve(event.id, 1 + ((index + round) % 2), `hold-${round}-${index}`),
          ),
        )),
      );
    }
    const heldTickets = held.reduce((sum, reservation) => sum + reservation.ticketCount, 0);

    await expectEventually(async () => {
      const now = await statuses(event.id);
      expect([...now.values()].every((status) => status === 'expired')).toBe(true);
      for (const client of clients) expect(expiredTicketIds(client.changes)).toHaveLength(heldTickets);
    }, EXPIRY_BOUND);

    const entries = await auditEntries(event.id);
    const expiredEntries = entries.filter((entry) => entry.action === 'reservation.expired');
    expect(expiredEntries).toHaveLength(held.length);
    expect(new Set(expiredEntries.map((entry) => entry.reservationId)).size).toBe(held.length);
    expect(expiredEntries.every((entry) => entry.actorId === null)).toBe(true);
    expect(entries.filter((entry) => entry.action === 'reservation.held')).toHaveLength(held.length);

    // The tickets that came back are exactly the ones that were held, each once, to every socket.
    const audit = await auditBookings(cluster!.database, event.id);
    expect(audit.doubleBookedTickets).toEqual([]);
    expect(audit.inconsistentTickets).toEqual([]);
    expect(audit.counters.availableTickets).toBe(60);
    const firstClientTickets = ascending(expiredTicketIds(clients[0].changes));
    expect(new Set(firstClientTickets).size).toBe(heldTickets);
    for (const client of clients) {
      expectInVersionOrder(client, joined);
      expect(ascending(expiredTicketIds(client.changes))).toEqual(firstClientTickets);
      expect(client.changes.at(-1)?.version).toBe(audit.counters.version);
    }

    // Each holder was warned about each of its holds, then told it expired, once each.
    await expectEventually(() => {
      for (const client of clients)
        expect(client.notices.filter((notice) => notice.reason === 'expired')).toHaveLength(2);
    }, EXPIRY_BOUND);
    for (const client of clients) {
      const reasons = countBy(client.notices, (notice) => `${notice.reservation.id}:${notice.reason}`);
      expect([...reasons.values()].every((count) => count === 1)).toBe(true);
      const expiredIds = client.notices
        .filter((notice) => notice.reason === 'expired')
        .map((notice) => notice.reservation.id);
      for (const id of expiredIds) {
        const order = client.notices
          .filter((notice) => notice.reservation.id === id)
          .map((notice) => notice.reason);
        expect(order).toEqual(['expiring', 'expired']);
      }
    }
  }, 180_000);

  it('gives a confirm racing the expiry exactly one winner, round after round', async () => {
    const event = await admin.createEvent('confirm races expiry');
    await admin.bulkCreateTickets(event.id, { count: 40, minValue: 1, maxValue: 1 });
    const [holder] = await attendees(1, 'racer');
    const onA = new ApiClient(urls[0], holder.token);
    const onB = new ApiClient(urls[1], holder.token);
    const rounds = 12;
    const outcomes: string[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const hold = await onA.reserve(event.id, 1, `race-${round}`);
      // Aim both confirms at the deadline, a little before or after it: this wait creates the race
      // (some rounds the confirm wins, some the sweep); no assertion depends on which.
      const aimAt = Date.parse(hold.expiresAt!) - 40 + (round % 4) * 20;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, aimAt - Date.now())));
      const answers = await Promise.all(
        [onA, onB].map((api) =>
          api.confirm(hold.id).then(
            (reservation) => reservation.status,
            (error: unknown) =>
              error instanceof ApiError ? (error.body?.code ?? String(error.status)) : 'no answer',
          ),
        ),
      );
      // Once the confirm lost, the sweep settles the hold as expired.
      let settled: string | undefined;
      await expectEventually(async () => {
        settled = (await statuses(event.id)).get(hold.id);
        expect(['confirmed', 'expired']).toContain(settled);
      }, EXPIRY_BOUND);
      // Both confirms agree with the one outcome: the winner's answer twice, or HOLD_EXPIRED twice.
      expect(answers).toEqual(
        settled === 'confirmed' ? ['confirmed', 'confirmed'] : ['HOLD_EXPIRED', 'HOLD_EXPIRED'],
      );
      const history = (await auditEntries(event.id))
        .filter((entry) => entry.reservationId === hold.id)
        .map((entry) => entry.action);
      expect(history).toEqual([
        settled === 'confirmed' ? 'reservation.confirmed' : 'reservation.expired',
        'reservation.held',
      ]);
      outcomes.push(settled!);
    }
    expect(outcomes).toHaveLength(rounds);
    const audit = await auditBookings(cluster!.database, event.id);
    expect(audit.doubleBookedTickets).toEqual([]);
    expect(audit.inconsistentTickets).toEqual([]);
    expect(audit.reservedTickets).toBe(outcomes.filter((outcome) => outcome === 'confirmed').length);
  }, 240_000);

  it('expires every hold exactly once when a replica is killed in the middle of sweeping', async () => {
    const events = await Promise.all([1, 2, 3, 4].map((index) => admin.createEvent(`sweep crash ${index}`)));
    for (const event of events)
      await admin.bulkCreateTickets(event.id, { count: 40, minValue: 1, maxValue: 1 });
    const holders = await attendees(10, 'crash');
    // The survivor's sockets watch every event; the victim sweeps alongside until it dies.
    const survivorUrl = urls[1];
    const watching = await Promise.all(
      events.map(async (event) => {
        const client = await EventClient.connect([survivorUrl], holders[0].token);
        openClients.push(client);
        return { event, client, joined: (await client.join(event.id)).version };
      }),
    );
    const held: ReservationView[] = [];
    for (const event of events) {
      held.push(
        ...(await Promise.all(
          holders.map((holder, index) =>
            holder.api.reserve(event.id, 1 + (index % 3), `crash-${event.id}-${index}`),
          ),
        )),
      );
    }
    // Kill the first replica once the first expiry has been committed: sweeps are under way.
    await expectEventually(
      () => expect(watching.some(({ client }) => expiredTicketIds(client.changes).length > 0)).toBe(true),
      EXPIRY_BOUND,
    );
    await cluster!.replicas[0].crash();
    admin = new ApiClient(survivorUrl, adminToken);

    await expectEventually(async () => {
      for (const { event } of watching)
        expect([...(await statuses(event.id)).values()].every((status) => status === 'expired')).toBe(true);
    }, EXPIRY_BOUND);
    for (const { event, client, joined } of watching) {
      const heldHere = held.filter((reservation) => reservation.eventId === event.id);
      const expected = heldHere.reduce((sum, reservation) => sum + reservation.ticketCount, 0);
      await expectEventually(
        () => expect(expiredTicketIds(client.changes)).toHaveLength(expected),
        EXPIRY_BOUND,
      );
      expectInVersionOrder(client, joined);
      expect(new Set(expiredTicketIds(client.changes)).size).toBe(expected);
      const expiredEntries = (await auditEntries(event.id)).filter(
        (entry) => entry.action === 'reservation.expired',
      );
      expect(ascending(expiredEntries.map((entry) => entry.reservationId!))).toEqual(
        ascending(heldHere.map((reservation) => reservation.id)),
      );
      const audit = await auditBookings(cluster!.database, event.id);
      expect(audit.doubleBookedTickets).toEqual([]);
      expect(audit.inconsistentTickets).toEqual([]);
      expect(audit.counters.availableTickets).toBe(40);
    }
  }, 240_000);
});
