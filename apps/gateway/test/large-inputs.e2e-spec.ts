import type {
  Ack,
  EventView,
  LevelCombo,
  LevelPage,
  ReadinessResponse,
  ReservationView,
} from '@tickets/protocol';
import { LEVEL_ROW_MAX_TICKET_IDS, PROTOCOL_VERSION, TICKET_LIMITS } from '@tickets/protocol';
import { io } from 'socket.io-client';
import { auditEvent } from './support/audit';
import { expectEventually } from './support/expect-eventually';
import { bearer, startTestApp, type TestApp } from './support/test-app';
import { call as callRaw, untyped, type ClientSocket } from './support/sockets';
import { DATABASE_KINDS } from './support/test-database';

/**
 * Inputs at the sizes the API accepts, and beyond: every one gets the right answer or the right
 * 4xx, and the indexes stay equal to a fresh build from the database. (How long they hold the
 * event loop is measured by `pnpm bench:stall`, not here.)
 */
describe.each(DATABASE_KINDS)('large and hostile inputs on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(kind);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** The levels this replica serves equal a fresh build over the tickets the database says are available. */
  async function expectIndexMatchesDatabase(eventId: number, token: string): Promise<void> {
    const fresh = (await auditEvent(t.dataSource, eventId)).freshIndex();
    const first = (
      await t
        .http()
        .get(`/api/events/${eventId}/levels?limit=5`)
        .set(...bearer(token))
        .expect(200)
    ).body as LevelPage;
    expect(first.total).toBe(fresh.size);
    for (const offset of [0, Math.floor(fresh.size / 2), Math.max(0, fresh.size - 5)]) {
      const page = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels?limit=5&offset=${offset}`)
          .set(...bearer(token))
          .expect(200)
      ).body as LevelPage;
      expect(page.rows.map(({ ticketLabels: _labels, ...row }) => row)).toEqual(
        fresh.page({ offset, limit: 5, maxIds: 20 }).rows,
      );
    }
  }

  it('an event of 100,000 tickets: a reservation of nearly all of them and its cancel leave the index equal to a fresh build', async () => {
    const event = (
      await t
        .http()
        .post('/api/events')
        .set(...bearer(t.adminToken))
        .send({ name: 'huge' })
        .expect(201)
    ).body as EventView;
    const created = await t
      .http()
      .post(`/api/events/${event.id}/tickets/bulk`)
      .set(...bearer(t.adminToken))
      .send({ count: 70_000, minValue: 1, maxValue: 1000 })
      .expect(201);
    expect(created.body).toMatchObject({ created: 70_000, version: 1 });
    const labelled = Array.from({ length: 30_000 }, (_, i) => ({
      label: `Row ${Math.floor(i / 30)} seat ${i % 30}`,
      value: 1 + (i % 997),
    }));
    await t
      .http()
      .post(`/api/events/${event.id}/tickets/bulk`)
      .set(...bearer(t.adminToken))
      .send({ tickets: labelled })
      .expect(201);
    const { token } = await t.attendee('whale');
    await expectIndexMatchesDatabase(event.id, token);

    const top = (
      await t
        .http()
        .get(
          `/api/events/${event.id}/levels?limit=1&offset=0&min=${Math.floor(0.997 * (await auditEvent(t.dataSource, event.id)).tickets.reduce((sum, ticket) => sum + ticket.value, 0))}`,
        )
        .set(...bearer(token))
        .expect(200)
    ).body as LevelPage;
    const level = top.rows[0].level;
    const combo = (
      await t
        .http()
        .get(`/api/events/${event.id}/levels/${level}?offset=500&limit=1000`)
        .set(...bearer(token))
        .expect(200)
    ).body as LevelCombo;
    expect(combo).toMatchObject({ level, offset: 500, ticketCount: top.rows[0].ticketCount });
    expect(combo.tickets).toHaveLength(1000);
    expect(combo.tickets.every((ticket) => ticket.label.length > 0 && ticket.value > 0)).toBe(true);
    const reserved = (
      await t
        .http()
        .post(`/api/events/${event.id}/reservations`)
        .set(...bearer(token))
        .send({ level, requestId: 'nearly-all' })
        .expect(201)
    ).body as ReservationView;
    // The view carries the first few ids; the count is the whole reservation.
    expect(reserved.ticketCount).toBeGreaterThan(99_000);
    expect(reserved.ticketIds).toHaveLength(LEVEL_ROW_MAX_TICKET_IDS);
    const audit = await auditEvent(t.dataSource, event.id);
    expect(audit.held).toHaveLength(reserved.ticketCount);
    expect(audit.availableTickets).toBe(100_000 - reserved.ticketCount);
    await expectIndexMatchesDatabase(event.id, token);

    await t
      .http()
      .delete(`/api/reservations/${reserved.id}`)
      .set(...bearer(token))
      .expect(200);
    const after = await auditEvent(t.dataSource, event.id);
    expect(after.held).toEqual([]);
    expect(after.availableTickets).toBe(100_000);
    await expectIndexMatchesDatabase(event.id, token);
    // Writes 100,000 tickets, then reserves and releases nearly all of them, each checked row by row on MySQL too.
  }, 180_000);

  it('refuses a bulk call beyond the body limit with 413, and one ticket too many with 400, creating nothing', async () => {
    const event = (
      await t
        .http()
        .post('/api/events')
        .set(...bearer(t.adminToken))
        .send({ name: 'refused' })
        .expect(201)
    ).body as EventView;
    const bulk = `/api/events/${event.id}/tickets/bulk`;
    const tooBig = JSON.stringify({ tickets: [{ label: 'x'.repeat(100), value: 1 }] }).padEnd(
      TICKET_LIMITS.maxBulkBodyBytes + 1,
      ' ',
    );
    const big = await t
      .http()
      .post(bulk)
      .set(...bearer(t.adminToken))
      .set('Content-Type', 'application/json')
      .send(tooBig);
    expect(big.status).toBe(413);
    expect(big.body).toEqual({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining(String(TICKET_LIMITS.maxBulkBodyBytes)),
    });
    const tooMany = Array.from({ length: TICKET_LIMITS.maxPerBulkCall + 1 }, () => ({ value: 1 }));
    const many = await t
      .http()
      .post(bulk)
      .set(...bearer(t.adminToken))
      .send({ tickets: tooMany });
    expect(many.body).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('tickets'),
    });
    const notJson = await t
      .http()
      .post(bulk)
      .set(...bearer(t.adminToken))
      .set('Content-Type', 'application/json')
      .send('{"tickets": [');
    expect(notJson.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const labels = await t
      .http()
      .post(bulk)
      .set(...bearer(t.adminToken))
      .send({ tickets: [{ value: 1, label: 'evil\u202etxt' }] });
    expect(labels.body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('bidi'),
    });
    expect(await auditEvent(t.dataSource, event.id)).toMatchObject({ version: 0, tickets: [] });
  });

  it('refuses oversized and badly shaped bodies before reading them into DTOs, creating nobody', async () => {
    const users = async (): Promise<number> =>
      Number(((await t.dataSource.query('SELECT COUNT(*) AS n FROM users')) as { n: number }[])[0].n);
    const before = await users();
    const manyKeys = JSON.stringify(
      Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
    );
    const huge = await t
      .http()
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(manyKeys);
    expect(huge.body).toEqual({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });
    const someKeys = {
      email: 'a@b.cd',
      password: 'password-123',
      displayName: 'x',
      ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])),
    };
    const keys = await t.http().post('/api/auth/register').send(someKeys);
    expect(keys.body).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('keys'),
    });
    const deep = `{"name":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const nested = await t
      .http()
      .post('/api/events')
      .set(...bearer(t.adminToken))
      .set('Content-Type', 'application/json')
      .send(deep);
    expect(nested.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const events = (
      (
        await t
          .http()
          .get('/api/events')
          .set(...bearer(t.adminToken))
      ).body as EventView[]
    ).length;
    expect(await users()).toBe(before);
    expect(
      (
        (
          await t
            .http()
            .get('/api/events')
            .set(...bearer(t.adminToken))
        ).body as EventView[]
      ).length,
    ).toBe(events);
  });

  it('answers a socket payload of a bad shape with VALIDATION_FAILED, and closes a connection that sends one over the size limit', async () => {
    const { token } = await t.attendee('socket-abuser');
    const socket: ClientSocket = io(t.url, {
      transports: ['websocket'],
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const call = (payload: unknown): Promise<Ack<unknown>> => callRaw<unknown>(socket, 'reserve', payload);
    const keys = await call({
      eventId: 1,
      level: 1,
      requestId: 'r',
      ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])),
    });
    expect(keys).toEqual({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('keys') },
    });
    const array = await call({
      eventId: 1,
      level: Array.from({ length: 1000 }, (_, i) => i),
      requestId: 'r',
    });
    expect(array).toEqual({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.any(String) } });
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    untyped(socket).emit('reserve', {
      eventId: 1,
      level: Array.from({ length: 1_000_000 }, (_, i) => i),
      requestId: 'r',
    });
    await expect(closed).resolves.toEqual(expect.any(String));
  });

  it('lists events from the database without building their indexes', async () => {
    const [{ id }] = await insertEventBehindTheGatewaysBack();
    const ready = async (): Promise<ReadinessResponse> =>
      (await t.http().get('/api/readyz').expect(200)).body as ReadinessResponse;
    const loadedBefore = (await ready()).indexes.loaded;
    const listed = (
      await t
        .http()
        .get('/api/events')
        .set(...bearer(t.adminToken))
        .expect(200)
    ).body as EventView[];
    expect(listed.find((event) => event.id === id)).toMatchObject({
      totalTickets: 3,
      availableTickets: 3,
      levelCount: null,
    });
    expect(
      (
        await t
          .http()
          .get(`/api/events/${id}`)
          .set(...bearer(t.adminToken))
          .expect(200)
      ).body,
    ).toMatchObject({ levelCount: null });
    expect((await ready()).indexes).toMatchObject({ loaded: loadedBefore, building: [] });
    // The first read builds it, and its count is recorded for lists.
    await t
      .http()
      .get(`/api/events/${id}/levels`)
      .set(...bearer(t.adminToken))
      .expect(200);
    await expectEventually(async () => {
      const event = (
        await t
          .http()
          .get(`/api/events/${id}`)
          .set(...bearer(t.adminToken))
          .expect(200)
      ).body as EventView;
      expect(event.levelCount).toBe(7);
    });
  });

  /** An event with tickets 1, 2, 4 written straight to the database, as another replica or an import might. */
  async function insertEventBehindTheGatewaysBack(): Promise<{ id: number }[]> {
    await t.dataSource.query(
      "INSERT INTO events (name, version, total_tickets, available_tickets, total_value, created_at) VALUES ('imported', 1, 3, 3, 7, '2026-01-01 00:00:00')",
    );
    const rows = (await t.dataSource.query("SELECT id FROM events WHERE name = 'imported'")) as {
      id: number | string;
    }[];
    const id = Number(rows[0].id);
    await t.dataSource.query(
      'INSERT INTO event_level_counts (event_id, version, level_count) VALUES (?, -1, 0)',
      [id],
    );
    for (const value of [1, 2, 4]) {
      await t.dataSource.query(
        "INSERT INTO tickets (event_id, label, value, status, reservation_id) VALUES (?, 'x', ?, 'available', NULL)",
        [id, value],
      );
    }
    return [{ id }];
  }
});
