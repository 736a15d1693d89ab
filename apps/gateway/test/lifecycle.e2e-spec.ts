import { randomBytes } from 'node:crypto';
import type {
  AuditEntry,
  AuditPage,
  EventLimitsView,
  EventSnapshot,
  EventView,
  InventoryChanged,
  ReservationNotice,
  ReservationView,
} from '@tickets/protocol';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { MIGRATIONS } from '../src/database/migrations';
import { loadConfig } from '../src/config/app-config';
import { eventState } from './support/audit';
import { expectEventually } from './support/expect-eventually';
import { call, TestSockets } from './support/sockets';
import { bearer, REPO_ROOT, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, DATABASE_KINDS } from './support/test-database';

/** Holds, confirmation, expiry, limits and the audit trail on one replica, on both databases. */
describe.each(DATABASE_KINDS)('the reservation lifecycle on %s', (kind) => {
  let t: TestApp;
  const sockets = new TestSockets(() => t.url);

  beforeAll(async () => {
    // Short holds swept often, so expiry shows within a test; the warning comes a second before.
    t = await startTestApp(kind, {
      HOLD_TTL: '600',
      HOLD_SWEEP_MS: '100',
      HOLD_WARNING_SECONDS: '1',
      DEFAULT_HOLDS_PER_USER: '1',
    });
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
  });

  const admin = (): [string, string] => bearer(t.adminToken);

  async function event(values: number[], body: Record<string, unknown> = {}): Promise<EventView> {
    const created = (
      await t
        .http()
        .post('/api/events')
        .set(...admin())
        .send({ name: `life-${randomBytes(2).toString('hex')}`, ...body })
        .expect(201)
    ).body as EventView;
    await t
      .http()
      .post(`/api/events/${created.id}/tickets/bulk`)
      .set(...admin())
      .send({ tickets: values.map((value) => ({ value })) })
      .expect(201);
    return created;
  }

  const reserve = (
    token: string,
    eventId: number,
    level: number,
    requestId = randomBytes(4).toString('hex'),
  ) =>
    t
      .http()
      .post(`/api/events/${eventId}/reservations`)
      .set(...bearer(token))
      .send({ level, requestId });

  const detail = async (token: string, id: number): Promise<ReservationView> =>
    (
      await t
        .http()
        .get(`/api/reservations/${id}`)
        .set(...bearer(token))
        .expect(200)
    ).body as ReservationView;

  async function auditOf(query: string): Promise<AuditEntry[]> {
    return (
      (
        await t
          .http()
          .get(`/api/audit?${query}`)
          .set(...admin())
          .expect(200)
      ).body as AuditPage
    ).rows;
  }

  it('a reservation is a hold with a deadline; its holder confirms it (REST or socket), once and for good', async () => {
    const { id: eventId } = await event([1, 2, 4, 8], { holdTtlSeconds: 300 });
    const holder = await t.attendee('holder');
    const before = Date.now();
    const held = (await reserve(holder.token, eventId, 3).expect(201)).body as ReservationView;
    expect(held).toMatchObject({ status: 'held', settledAt: null, ticketCount: 2 });
    const deadline = Date.parse(held.expiresAt!);
    expect(deadline).toBeGreaterThanOrEqual(before + 300_000 - 1000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 300_000 + 1000);
    // Another user cannot confirm it; it does not exist for them.
    const stranger = await t.attendee('stranger');
    await t
      .http()
      .post(`/api/reservations/${held.id}/confirm`)
      .set(...bearer(stranger.token))
      .expect(404);
    const confirmed = (
      await t
        .http()
        .post(`/api/reservations/${held.id}/confirm`)
        .set(...bearer(holder.token))
        .expect(200)
    ).body as ReservationView;
    expect(confirmed).toMatchObject({
      id: held.id,
      status: 'confirmed',
      expiresAt: null,
      settledAt: expect.any(String),
    });
    await t
      .http()
      .post(`/api/reservations/${held.id}/confirm`)
      .set(...bearer(holder.token))
      .expect(200);
    // Confirmed, it no longer counts as a hold: the holder may hold another level (one hold at a time here).
    const socket = await sockets.connected(holder.token);
    const second = await call<ReservationView>(socket, 'reserve', { eventId, level: 4, requestId: 'second' });
    expect(second).toMatchObject({ ok: true, data: { status: 'held' } });
    const confirmedBySocket = await call<ReservationView>(socket, 'reservation:confirm', {
      reservationId: second.ok ? second.data.id : 0,
    });
    expect(confirmedBySocket).toMatchObject({ ok: true, data: { status: 'confirmed' } });
    // The history, oldest first, for the holder; nobody else.
    const history = (
      await t
        .http()
        .get(`/api/reservations/${held.id}/history`)
        .set(...bearer(holder.token))
        .expect(200)
    ).body as AuditEntry[];
    expect(history.map((entry) => entry.action)).toEqual(['reservation.held', 'reservation.confirmed']);
    await t
      .http()
      .get(`/api/reservations/${held.id}/history`)
      .set(...bearer(stranger.token))
      .expect(404);
  });

  it('a hold that runs out returns its tickets once, live, with cause expired; the holder is warned, then told; confirming then answers HOLD_EXPIRED', async () => {
    const { id: eventId } = await event([1, 2, 4], { holdTtlSeconds: 2 });
    const holder = await t.attendee('late');
    const holderSocket = await sockets.connected(holder.token);
    const notices: ReservationNotice[] = [];
    holderSocket.on('reservation:changed', (notice) => notices.push(notice));
    const watcher = await sockets.connected((await t.attendee('watcher')).token);
    const changes: InventoryChanged[] = [];
    watcher.on('inventory:changed', (message) => changes.push(...message.changes));
    const joined = await call<EventSnapshot>(watcher, 'event:join', { eventId });
    const start = joined.ok ? joined.data.version : -1;
    const held = (await reserve(holder.token, eventId, 6).expect(201)).body as ReservationView;
    await expectEventually(
      async () => expect((await detail(holder.token, held.id)).status).toBe('expired'),
      10_000,
    );
    await expectEventually(() =>
      expect(changes.map((change) => change.cause)).toEqual(['reserved', 'expired']),
    );
    expect(changes.map((change) => change.version)).toEqual([start + 1, start + 2]);
    expect(changes[1]).toMatchObject({
      ticketIds: [...held.ticketIds].sort((a, b) => a - b),
      ticketCount: 2,
      availableTickets: 3,
    });
    await expectEventually(() =>
      expect(notices.map((notice) => notice.reason)).toEqual(['expiring', 'expired']),
    );
    expect(notices[1].reservation).toMatchObject({ id: held.id, status: 'expired' });
    const late = await t
      .http()
      .post(`/api/reservations/${held.id}/confirm`)
      .set(...bearer(holder.token));
    expect(late.body).toMatchObject({ statusCode: 409, code: 'HOLD_EXPIRED' });
    const state = await eventState(t.dataSource, eventId);
    expect(state).toMatchObject({ availableTickets: 3, held: [], version: start + 2 });
    expect(
      (await auditOf(`eventId=${eventId}&action=reservation.expired`)).map((entry) => [
        entry.reservationId,
        entry.actorId,
      ]),
    ).toEqual([[held.id, null]]);
    // The level is back: someone else can hold it.
    await reserve((await t.attendee('next')).token, eventId, 6).expect(201);
  });

  it('limits each user per event, changes nothing when refused, and says which limit', async () => {
    const { id: eventId } = await event([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], {
      limits: { holdsPerUser: 2, ticketsPerUser: 5, ticketsPerReservation: 3 },
    });
    const user = await t.attendee('greedy');
    const view = (
      await t
        .http()
        .get(`/api/events/${eventId}/limits`)
        .set(...bearer(user.token))
        .expect(200)
    ).body as EventLimitsView;
    expect(view).toEqual({
      eventId,
      limits: { holdsPerUser: 2, ticketsPerUser: 5, ticketsPerReservation: 3 },
      holds: 0,
      tickets: 0,
    });
    const before = await eventState(t.dataSource, eventId);
    expect((await reserve(user.token, eventId, 4)).body).toMatchObject({
      statusCode: 409,
      code: 'LIMIT_REACHED',
      limit: 'ticketsPerReservation',
    });
    expect(await eventState(t.dataSource, eventId)).toEqual(before);
    const first = (await reserve(user.token, eventId, 3).expect(201)).body as ReservationView;
    await reserve(user.token, eventId, 1).expect(201);
    expect((await reserve(user.token, eventId, 1)).body).toMatchObject({
      code: 'LIMIT_REACHED',
      limit: 'holdsPerUser',
    });
    await t
      .http()
      .post(`/api/reservations/${first.id}/confirm`)
      .set(...bearer(user.token))
      .expect(200);
    // Four tickets held or confirmed: two more would pass five.
    expect((await reserve(user.token, eventId, 2)).body).toMatchObject({
      code: 'LIMIT_REACHED',
      limit: 'ticketsPerUser',
    });
    await reserve(user.token, eventId, 1).expect(201);
    expect(
      (
        await t
          .http()
          .get(`/api/events/${eventId}/limits`)
          .set(...bearer(user.token))
          .expect(200)
      ).body as EventLimitsView,
    ).toMatchObject({ holds: 2, tickets: 5 });
    // Each refusal left no audit entry; each hold and confirm one.
    const actions = (await auditOf(`eventId=${eventId}&userId=${user.userId}`))
      .map((entry) => entry.action)
      .reverse();
    expect(actions).toEqual([
      'reservation.held',
      'reservation.held',
      'reservation.confirmed',
      'reservation.held',
    ]);
  });

  it('never lets concurrent requests of one user pass a limit', async () => {
    const { id: eventId } = await event(
      Array.from({ length: 20 }, () => 1),
      { limits: { holdsPerUser: 1 } },
    );
    const user = await t.attendee('impatient');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => reserve(user.token, eventId, 1, `burst-${i}`)),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([
      201,
      ...Array.from({ length: 11 }, () => 409),
    ]);
    const state = await eventState(t.dataSource, eventId);
    expect(state.reservations.filter((reservation) => reservation.status === 'held')).toHaveLength(1);
  });

  it("an admin edits an event's hold time and limits; cancelling and releasing return tickets; the audit log pages and filters", async () => {
    const { id: eventId } = await event([1, 2, 4]);
    const updated = (
      await t
        .http()
        .patch(`/api/events/${eventId}`)
        .set(...admin())
        .send({ holdTtlSeconds: 120, limits: { holdsPerUser: 3, ticketsPerUser: null } })
        .expect(200)
    ).body as EventView;
    expect(updated).toMatchObject({
      holdTtlSeconds: 120,
      limits: { holdsPerUser: 3, ticketsPerUser: null, ticketsPerReservation: null },
    });
    expect(
      (
        await t
          .http()
          .patch(`/api/events/${eventId}`)
          .set(...admin())
          .send({ limits: { holdsPerUser: 0 } })
      ).body,
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
    const attendee = await t.attendee('canceller');
    await t
      .http()
      .patch(`/api/events/${eventId}`)
      .set(...bearer(attendee.token))
      .send({ holdTtlSeconds: 5 })
      .expect(403);
    const a = (await reserve(attendee.token, eventId, 1).expect(201)).body as ReservationView;
    const b = (await reserve(attendee.token, eventId, 2).expect(201)).body as ReservationView;
    expect(
      (
        await t
          .http()
          .delete(`/api/reservations/${a.id}`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body,
    ).toMatchObject({ status: 'cancelled' });
    expect(
      (
        await t
          .http()
          .delete(`/api/reservations/${b.id}`)
          .set(...admin())
          .expect(200)
      ).body,
    ).toMatchObject({ status: 'released' });
    expect((await eventState(t.dataSource, eventId)).availableTickets).toBe(3);
    const entries = await auditOf(`eventId=${eventId}`);
    expect(entries.map((entry) => entry.action)).toEqual([
      'reservation.released',
      'reservation.cancelled',
      'reservation.held',
      'reservation.held',
      'event.updated',
      'tickets.created',
      'event.created',
    ]);
    expect(entries.find((entry) => entry.action === 'event.updated')?.details).toMatchObject({
      before: { limits: { holdsPerUser: 1 } },
      after: { holdTtlSeconds: 120 },
    });
    const page = (
      await t
        .http()
        .get(`/api/audit?eventId=${eventId}&limit=2&offset=1`)
        .set(...admin())
        .expect(200)
    ).body as AuditPage;
    expect(page).toMatchObject({ total: 7, offset: 1 });
    expect(page.rows.map((entry) => entry.action)).toEqual(['reservation.cancelled', 'reservation.held']);
    expect(await auditOf(`action=reservation.released&eventId=${eventId}`)).toHaveLength(1);
    expect(
      await auditOf(`eventId=${eventId}&from=${new Date(Date.now() + 60_000).toISOString()}`),
    ).toHaveLength(0);
    await t
      .http()
      .get('/api/audit')
      .set(...bearer(attendee.token))
      .expect(403);
    expect(
      (
        await t
          .http()
          .get('/api/audit?action=nothing')
          .set(...admin())
      ).body,
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('records sign-ins and role changes', async () => {
    const user = await t.attendee('audited');
    const email = (
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(user.token))
          .expect(200)
      ).body as { email: string }
    ).email;
    await t.http().post('/api/auth/login').send({ email, password: 'password-123' }).expect(200);
    await t
      .http()
      .patch(`/api/users/${user.userId}`)
      .set(...admin())
      .send({ role: 'admin' })
      .expect(200);
    const entries = await auditOf(`userId=${user.userId}`);
    expect(entries.map((entry) => entry.action)).toEqual(['user.role-changed', 'user.signed-in']);
    expect(entries[0]).toMatchObject({
      subjectUserId: user.userId,
      details: { before: 'attendee', after: 'admin' },
    });
  });
});

describe.each(DATABASE_KINDS)('migrating existing reservations on %s', (kind) => {
  it('turns every active reservation into a confirmed one, settled when it was made', async () => {
    const database = await createTestDatabase(kind);
    try {
      const config = loadConfig({ ...database.env, JWT_SECRET: 'x'.repeat(32) }, REPO_ROOT);
      const lifecycle = MIGRATIONS.findIndex(
        (migration) => migration.name === 'ReservationLifecycle1765065600000',
      );
      // A bare DataSource (no Nest): the migrations alone, without the module's entity loading.
      const { autoLoadEntities: _entitiesFromModules, ...options } = dataSourceOptions(
        config,
      ) as DataSourceOptions & { autoLoadEntities?: boolean };
      const before = new DataSource({ ...options, migrations: MIGRATIONS.slice(0, lifecycle) });
      await before.initialize();
      await before.runMigrations();
      await before.query(
        "INSERT INTO users (email, password_hash, display_name, role, created_at) VALUES ('m@x.y', 'x', 'm', 'attendee', '2026-01-01 00:00:00.000')",
      );
      await before.query(
        "INSERT INTO events (name, version, total_tickets, available_tickets, created_at) VALUES ('old', 1, 2, 0, '2026-01-01 00:00:00.000')",
      );
      await before.query(
        "INSERT INTO reservations (event_id, user_id, level, status, request_id, ticket_ids, created_at) VALUES (1, 1, 3, 'active', 'r1', '[1,2]', '2026-01-02 00:00:00.000'), (1, 1, 1, 'cancelled', 'r2', '[1]', '2026-01-01 00:00:00.000')",
      );
      await before.destroy();
      const after = new DataSource({ ...options, migrations: MIGRATIONS });
      await after.initialize();
      await after.runMigrations();
      const rows = (await after.query(
        'SELECT request_id, status, ticket_count, expires_at, settled_at, created_at FROM reservations ORDER BY id',
      )) as {
        request_id: string;
        status: string;
        ticket_count: number | string;
        expires_at: unknown;
        settled_at: unknown;
        created_at: unknown;
      }[];
      expect(
        rows.map((row) => [row.request_id, row.status, Number(row.ticket_count), row.expires_at]),
      ).toEqual([
        ['r1', 'confirmed', 2, null],
        ['r2', 'cancelled', 1, null],
      ]);
      expect(rows.every((row) => String(row.settled_at) === String(row.created_at))).toBe(true);
      await after.destroy();
    } finally {
      await database.drop();
    }
  });
});
