import { randomBytes } from 'node:crypto';
import type {
  Ack,
  EventSnapshot,
  EventView,
  InventoryChanged,
  LevelCombo,
  LevelPage,
  ReservationView,
} from '@tickets/protocol';
import { PROTOCOL_VERSION } from '@tickets/protocol';
import Redis from 'ioredis';
import { expectEventually } from './support/expect-eventually';
import { call, TestSockets, type ClientSocket } from './support/sockets';
import { bearer, startTestApp, type TestApp } from './support/test-app';
import { TEST_REDIS_URL, type DatabaseKind } from './support/test-database';

const SETUPS: [string, DatabaseKind, boolean][] = [
  ['sqlite, in-process feed', 'sqlite', false],
  ['mysql, Redis feed and adapter', 'mysql', true],
];

/** Socket basics on one replica: handshake auth, validated acks, reserve, ordered inventory:changed. */
describe.each(SETUPS)('realtime on %s', (_name, kind, withRedis) => {
  const prefix = `tickets-test-${randomBytes(4).toString('hex')}:`;
  let t: TestApp;
  let eventId: number;

  beforeAll(async () => {
    t = await startTestApp(kind, {
      RESERVE_RATE_LIMIT: '5/3600000',
      // Long enough that the coalescing test's requests land inside one interval.
      BROADCAST_INTERVAL_MS: '1000',
      ...(withRedis ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } : {}),
    });
    const event = (
      await t
        .http()
        .post('/api/events')
        .set(...bearer(t.adminToken))
        .send({ name: 'live' })
        .expect(201)
    ).body as EventView;
    eventId = event.id;
    await t
      .http()
      .post(`/api/events/${eventId}/tickets/bulk`)
      .set(...bearer(t.adminToken))
      .send({ tickets: [1, 2, 4, 8, 16].map((value) => ({ value })) })
      .expect(201);
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
    if (withRedis) {
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  const sockets = new TestSockets(() => t.url);
  const connect = sockets.connect.bind(sockets);
  const connected = (token: string): Promise<ClientSocket> => sockets.connected(token);

  function record(socket: ClientSocket): InventoryChanged[] {
    const seen: InventoryChanged[] = [];
    socket.on('inventory:changed', (message) => seen.push(...message.changes));
    return seen;
  }

  it('refuses a handshake without a valid token with UNAUTHENTICATED', async () => {
    for (const token of [null, 'not-a-jwt']) {
      const socket = connect(token);
      const error = await new Promise<Error & { data?: { code: string } }>((resolve) =>
        socket.once('connect_error', resolve),
      );
      expect(error.message).toBe('UNAUTHENTICATED');
      expect(error.data?.code).toBe('UNAUTHENTICATED');
      expect(socket.connected).toBe(false);
    }
  });

  it('refuses a handshake of another protocol version with UPGRADE_REQUIRED, before looking at the token', async () => {
    const { token } = await t.attendee('stale-tab');
    for (const auth of [
      {},
      { protocolVersion: PROTOCOL_VERSION - 1 },
      { protocolVersion: String(PROTOCOL_VERSION) },
    ]) {
      const socket = connect(token, auth);
      const error = await new Promise<Error & { data?: { code: string; message: string } }>((resolve) =>
        socket.once('connect_error', resolve),
      );
      expect(error.data).toEqual({ code: 'UPGRADE_REQUIRED', message: expect.stringContaining('Reload') });
      expect(socket.connected).toBe(false);
    }
  });

  it('joins an event, pages levels and reads a combination', async () => {
    const { token } = await t.attendee('viewer');
    const socket = await connected(token);
    const joined = await call<EventSnapshot>(socket, 'event:join', { eventId });
    expect(joined).toEqual({
      ok: true,
      data: { eventId, version: 1, levelCount: 31, totalTickets: 5, availableTickets: 5 },
    });
    const page = await call<LevelPage>(socket, 'levels:page', { eventId, offset: 10, limit: 3 });
    expect(page.ok && page.data).toMatchObject({ eventId, version: 1, total: 31, offset: 10 });
    expect(page.ok && page.data.rows.map((row) => row.level)).toEqual([11, 12, 13]);
    const combo = await call<LevelCombo>(socket, 'levels:combo', { eventId, level: 21 });
    expect(combo.ok && combo.data.tickets.map((ticket) => ticket.value).sort((a, b) => a - b)).toEqual([
      1, 4, 16,
    ]);
    const missing = await call<LevelCombo>(socket, 'levels:combo', { eventId: 999999, level: 1 });
    expect(missing).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('answers a malformed payload with VALIDATION_FAILED and keeps the connection', async () => {
    const { token } = await t.attendee('sloppy');
    const socket = await connected(token);
    for (const payload of [{ eventId: 'one' }, { eventId, offset: 0, limit: 501 }, 42, null]) {
      const answer = await call(socket, 'levels:page', payload);
      expect(answer).toEqual({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: expect.any(String) },
      });
    }
    const reserve = await call(socket, 'reserve', { eventId, level: 3 });
    expect(reserve.ok).toBe(false);
    expect(socket.connected).toBe(true);
    const page = await call<LevelPage>(socket, 'levels:page', { eventId, offset: 0, limit: 1 });
    expect(page.ok).toBe(true);
  });

  it('reserves over the socket; every socket in the room gets each change once, in version order', async () => {
    const watcher = await connected((await t.attendee('watcher')).token);
    const buyer = await connected((await t.attendee('buyer')).token);
    const outsider = await connected((await t.attendee('outsider')).token);
    const watcherJoin = await call<EventSnapshot>(watcher, 'event:join', { eventId });
    await call<EventSnapshot>(buyer, 'event:join', { eventId });
    const start = watcherJoin.ok ? watcherJoin.data.version : -1;
    const watched = record(watcher);
    const bought = record(buyer);
    const outside = record(outsider);

    const reserved = await call<ReservationView>(buyer, 'reserve', {
      eventId,
      level: 5,
      requestId: 'sock-1',
    });
    expect(reserved.ok && reserved.data).toMatchObject({ eventId, level: 5, status: 'held' });
    const repeated = await call<ReservationView>(buyer, 'reserve', {
      eventId,
      level: 5,
      requestId: 'sock-1',
    });
    expect(repeated).toEqual(reserved);
    const reservation = (reserved as { data: ReservationView }).data;
    // A REST cancel by the admin reaches the room too.
    await t
      .http()
      .delete(`/api/reservations/${reservation.id}`)
      .set(...bearer(t.adminToken))
      .expect(200);

    await expectEventually(() => expect(watched).toHaveLength(2));
    expect(watched.map((change) => [change.version, change.cause])).toEqual([
      [start + 1, 'reserved'],
      [start + 2, 'released'],
    ]);
    expect(watched[0]).toMatchObject({
      eventId,
      ticketIds: reservation.ticketIds,
      availableTickets: 3,
      totalTickets: 5,
      levelCount: 7,
    });
    expect(watched[1]).toMatchObject({
      ticketIds: reservation.ticketIds,
      availableTickets: 5,
      levelCount: 31,
    });
    await expectEventually(() => expect(bought).toEqual(watched));

    await call(watcher, 'event:leave', { eventId });
    await t
      .http()
      .post(`/api/events/${eventId}/tickets`)
      .set(...bearer(t.adminToken))
      .send({ value: 32 })
      .expect(201);
    await expectEventually(() =>
      expect(bought.at(-1)).toMatchObject({ version: start + 3, cause: 'ticket-created', totalTickets: 6 }),
    );
    // The room's messages come in order: nothing arrived between the two changes and this one,
    // and the watcher, gone before it, got nothing more.
    expect(bought.map((change) => change.version)).toEqual([start + 1, start + 2, start + 3]);
    expect(watched).toHaveLength(2);
    // A round trip on the outsider's socket comes after anything sent to it before: it got nothing.
    await call(outsider, 'levels:page', { eventId, offset: 0, limit: 1 });
    expect(outside).toEqual([]);
  });

  it('coalesces changes within the broadcast interval; a socket joining meanwhile gets only what follows its snapshot', async () => {
    // An event of its own: nothing was sent for it yet, so its first change goes out at once.
    const quiet = (
      (
        await t
          .http()
          .post('/api/events')
          .set(...bearer(t.adminToken))
          .send({ name: 'quiet' })
          .expect(201)
      ).body as EventView
    ).id;
    const early = await connected((await t.attendee('early')).token);
    const late = await connected((await t.attendee('late')).token);
    const earlyJoin = await call<EventSnapshot>(early, 'event:join', { eventId: quiet });
    const start = earlyJoin.ok ? earlyJoin.data.version : -1;
    const messages = (socket: ClientSocket): number[][] => {
      const seen: number[][] = [];
      socket.on('inventory:changed', (message) => seen.push(message.changes.map((change) => change.version)));
      return seen;
    };
    const earlyMessages = messages(early);
    const lateMessages = messages(late);
    const addTicket = (value: number) =>
      t
        .http()
        .post(`/api/events/${quiet}/tickets`)
        .set(...bearer(t.adminToken))
        .send({ value })
        .expect(201);

    // The first change goes out at once; the next waits for the interval to end.
    await addTicket(2000);
    await expectEventually(() => expect(earlyMessages).toEqual([[start + 1]]));
    await addTicket(3000);
    await addTicket(5000);
    // The late socket joins while start+2 and start+3 wait: they go to the room first, without it.
    const lateJoin = await call<EventSnapshot>(late, 'event:join', { eventId: quiet });
    expect(lateJoin.ok && lateJoin.data.version).toBe(start + 3);
    // (The early socket's message travels on its own connection: it may land after the late join's answer.)
    await expectEventually(() => expect(earlyMessages).toEqual([[start + 1], [start + 2, start + 3]]));
    await addTicket(7000);
    await addTicket(11000);
    // The two sockets may sit in different shards of the room, handed the message a turn apart.
    await expectEventually(() => {
      expect(earlyMessages).toEqual([[start + 1], [start + 2, start + 3], [start + 4, start + 5]]);
      expect(lateMessages).toEqual([[start + 4, start + 5]]);
    });
  });

  it('rate-limits reserve calls per user with RATE_LIMITED', async () => {
    const socket = await connected((await t.attendee('greedy')).token);
    const answers: Ack<ReservationView>[] = [];
    for (let i = 0; i < 7; i++)
      answers.push(
        await call<ReservationView>(socket, 'reserve', { eventId, level: 1000, requestId: `greedy-${i}` }),
      );
    const codes = answers.map((answer) => (answer.ok ? 'ok' : answer.error.code));
    expect(codes).toEqual([
      'LEVEL_UNAVAILABLE',
      'LEVEL_UNAVAILABLE',
      'LEVEL_UNAVAILABLE',
      'LEVEL_UNAVAILABLE',
      'LEVEL_UNAVAILABLE',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    // Another user is not affected.
    const other = await connected((await t.attendee('patient')).token);
    const answer = await call<ReservationView>(other, 'reserve', {
      eventId,
      level: 1000,
      requestId: 'patient-1',
    });
    expect(answer.ok || answer.error.code).toBe('LEVEL_UNAVAILABLE');
  });

  it('sends every message as one payload { eventId, changes }, so a one-argument listener sees them all', async () => {
    const socket = await connected((await t.attendee('one-arg')).token);
    const joined = await call<EventSnapshot>(socket, 'event:join', { eventId });
    const start = joined.ok ? joined.data.version : -1;
    const payloads: unknown[][] = [];
    socket.on('inventory:changed', (...args: unknown[]) => payloads.push(args));
    await t
      .http()
      .post(`/api/events/${eventId}/tickets`)
      .set(...bearer(t.adminToken))
      .send({ value: 64 })
      .expect(201);
    await expectEventually(() => expect(payloads).toHaveLength(1));
    expect(payloads[0]).toEqual([
      { eventId, changes: [expect.objectContaining({ version: start + 1, cause: 'ticket-created' })] },
    ]);
    await call(socket, 'event:leave', { eventId });
  });

  it('reports readiness including Redis when configured', async () => {
    const response = await t.http().get('/api/readyz').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      database: 'up',
      redis: withRedis ? 'up' : 'disabled',
    });
  });
});
