/**
 * What only one replica knows, told to the sockets of every replica (through the Socket.IO Redis
 * adapter): a holder learns that an admin released their reservation or deleted the event, the
 * lobby learns of new events and changed counts, and admins see who is connected to each event.
 * Two real gateway processes on one MariaDB database and Redis.
 */
import type {
  EventAudience,
  EventsChangedMessage,
  EventView,
  ReservationNotice,
  ReservationPage,
  ReservationView,
} from '@tickets/protocol';
import { expectEventually } from '../support/expect-eventually';
import { ApiClient, ApiError } from './api-client';
import { connectSocket, unwrap, type EventSocket } from './event-client';
import { GatewayCluster } from './gateway-cluster';

const REDIS_DB = 12;
/** How long a message may take to show up: a liveness bound, not a speed goal. */
const BOUND = 15_000;

let cluster: GatewayCluster | undefined;
let urls: string[];
let admin: ApiClient;
const sockets: EventSocket[] = [];

beforeAll(async () => {
  cluster = await GatewayCluster.start({ owner: 'live_updates_e2e', replicas: 2, redisDb: REDIS_DB });
  urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[1]);
  admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
}, 240_000);

afterAll(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await cluster?.stop();
}, 60_000);

/** A fresh attendee: their REST client and a socket on the given replica. */
async function attendee(
  label: string,
  replica: number,
): Promise<{ api: ApiClient; socket: EventSocket; userId: number; token: string }> {
  const auth = await new ApiClient(urls[replica]).registerAttendee(label);
  const socket = await connectSocket(urls[replica], auth.accessToken);
  sockets.push(socket);
  return {
    api: new ApiClient(urls[replica], auth.accessToken),
    socket,
    userId: auth.user.id,
    token: auth.accessToken,
  };
}

function notices(socket: EventSocket): ReservationNotice[] {
  const seen: ReservationNotice[] = [];
  socket.on('reservation:changed', (notice) => seen.push(notice));
  return seen;
}

describe('live updates across replicas', () => {
  it('tells the holder, on the other replica, that an admin released their reservation', async () => {
    const event = await admin.createEvent('release');
    await admin.bulkCreateTickets(event.id, { tickets: [{ value: 3 }, { value: 4 }] });
    const holder = await attendee('holder', 0);
    const seen = notices(holder.socket);
    const reservation = await holder.api.request<ReservationView>(
      'POST',
      `/events/${event.id}/reservations`,
      { level: 3, requestId: 'r1' },
    );
    const released = await admin.request<ReservationView>('DELETE', `/reservations/${reservation.id}`);
    await expectEventually(
      () => expect(seen).toEqual([{ reason: 'released-by-admin', reservation: released }]),
      BOUND,
    );
    // Their own cancel tells nobody.
    const own = await holder.api.request<ReservationView>('POST', `/events/${event.id}/reservations`, {
      level: 4,
      requestId: 'r2',
    });
    await holder.api.request('DELETE', `/reservations/${own.id}`);
    expect(seen).toHaveLength(1);
  });

  it('refuses to delete an event with active reservations without force, and with it tells their holders', async () => {
    const event = await admin.createEvent('doomed');
    await admin.bulkCreateTickets(event.id, { tickets: [{ value: 5 }, { value: 6 }] });
    const holder = await attendee('doomed-holder', 0);
    const seen = notices(holder.socket);
    const reservation = await holder.api.request<ReservationView>(
      'POST',
      `/events/${event.id}/reservations`,
      { level: 5, requestId: 'd1' },
    );
    expect(await admin.request<EventView>('GET', `/events/${event.id}`)).toMatchObject({
      activeReservations: 1,
    });
    const refused = await admin.request('DELETE', `/events/${event.id}`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).body).toMatchObject({
      statusCode: 409,
      code: 'CONFLICT',
      message: expect.stringContaining('1 active'),
    });
    await admin.request('DELETE', `/events/${event.id}?force=true`);
    await expectEventually(
      () =>
        expect(seen).toEqual([
          {
            reason: 'event-deleted',
            reservation: {
              ...reservation,
              status: 'released',
              expiresAt: null,
              settledAt: expect.any(String),
            },
          },
        ]),
      BOUND,
    );
  });

  it('keeps the lobby of every replica current: new events at once, changed counts within a second or so', async () => {
    const watcher = await attendee('lobby-watcher', 0);
    const messages: EventsChangedMessage[] = [];
    watcher.socket.on('events:changed', (message) => messages.push(message));
    const listed = unwrap(await watcher.socket.timeout(BOUND).emitWithAck('lobby:join', {}));
    expect(Array.isArray(listed)).toBe(true);
    const event = await admin.createEvent('announced');
    await expectEventually(
      () =>
        expect(messages.flatMap((m) => m.upserted)).toContainEqual(
          expect.objectContaining({ id: event.id, name: 'announced' }),
        ),
      BOUND,
    );
    await admin.bulkCreateTickets(event.id, { tickets: [{ value: 1 }, { value: 2 }] });
    await expectEventually(
      () =>
        expect(
          messages
            .flatMap((m) => m.upserted)
            .filter((view) => view.id === event.id)
            .at(-1),
        ).toMatchObject({
          totalTickets: 2,
          availableTickets: 2,
          levelCount: 3,
        }),
      BOUND,
    );
    await admin.request('DELETE', `/events/${event.id}`);
    await expectEventually(() => expect(messages.flatMap((m) => m.removed)).toContain(event.id), BOUND);
  });

  it('counts the users and sockets joined to each event over every replica, a user on two replicas once', async () => {
    const event = await admin.createEvent('crowd');
    const both = await attendee('both', 0);
    // The same user in a second tab, on the other replica.
    const second = await connectSocket(urls[1], both.token);
    sockets.push(second);
    const other = await attendee('other', 1);
    for (const socket of [both.socket, second, other.socket])
      unwrap(await socket.timeout(BOUND).emitWithAck('event:join', { eventId: event.id }));
    await expectEventually(async () => {
      const audience = await admin.request<EventAudience[]>('GET', '/audience');
      expect(audience.find((entry) => entry.eventId === event.id)).toEqual({
        eventId: event.id,
        users: 2,
        sockets: 3,
      });
    }, BOUND);
    const refused = await both.api.request('GET', '/audience').catch((error: unknown) => error);
    expect((refused as ApiError).status).toBe(403);
  });

  it('pages the reservations of an event for admins, with their holders', async () => {
    const event = await admin.createEvent('ledger');
    await admin.bulkCreateTickets(event.id, { tickets: [1, 2, 4, 8].map((value) => ({ value })) });
    const buyer = await attendee('ledger-buyer', 1);
    for (const level of [1, 2, 4])
      await buyer.api.request('POST', `/events/${event.id}/reservations`, { level, requestId: `l${level}` });
    const page = await admin.request<ReservationPage>(
      'GET',
      `/events/${event.id}/reservations?limit=2&offset=1`,
    );
    expect(page).toMatchObject({ total: 3, offset: 1 });
    expect(page.rows.map((row) => row.level)).toEqual([2, 1]);
    expect(page.rows[0].holder).toMatchObject({
      id: buyer.userId,
      email: expect.stringContaining('ledger-buyer'),
    });
  });
});
