import type {
  ErrorBody,
  EventView,
  LevelCombo,
  LevelPage,
  LevelRow,
  ReservationDetail,
  ReservationView,
  TicketPage,
  TicketView,
} from '@tickets/protocol';
import { auditEvent, eventState } from './support/audit';
import { expectEventually } from './support/expect-eventually';
import { bearer, requestWith, startTestApp, type TestApp } from './support/test-app';
import { DATABASE_KINDS } from './support/test-database';

/** A level row as the engine has it (the gateway adds the tickets' labels). */
const withoutLabels = ({ ticketLabels: _labels, ...row }: LevelRow): Omit<LevelRow, 'ticketLabels'> => row;

/** The REST contract and the reservation invariants, on SQLite and on MariaDB/MySQL. */
describe.each(DATABASE_KINDS)('gateway on %s', (kind) => {
  let t: TestApp;
  let attendee: { token: string; userId: number };

  beforeAll(async () => {
    t = await startTestApp(kind);
    attendee = await t.attendee('alice');
  });

  afterAll(async () => {
    await t?.close();
  });

  async function createEvent(name: string, values: number[]): Promise<number> {
    const event = (
      await t
        .http()
        .post('/api/events')
        .set(...bearer(t.adminToken))
        .send({ name })
        .expect(201)
    ).body as EventView;
    if (values.length > 0) {
      await t
        .http()
        .post(`/api/events/${event.id}/tickets/bulk`)
        .set(...bearer(t.adminToken))
        .send({ tickets: values.map((value) => ({ value })) })
        .expect(201);
    }
    return event.id;
  }

  const reserve = (token: string, eventId: number, level: number, requestId: string) =>
    t
      .http()
      .post(`/api/events/${eventId}/reservations`)
      .set(...bearer(token))
      .send({ level, requestId });

  describe('auth', () => {
    it('registers, logs in and answers /auth/me', async () => {
      const registered = await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'Bob@Test.Local', password: 'password-123', displayName: 'Bob' })
        .expect(201);
      expect(registered.body.user).toMatchObject({
        email: 'bob@test.local',
        displayName: 'Bob',
        role: 'attendee',
      });
      const login = await t
        .http()
        .post('/api/auth/login')
        .send({ email: 'bob@test.local', password: 'password-123' })
        .expect(200);
      const me = await t
        .http()
        .get('/api/auth/me')
        .set(...bearer(login.body.accessToken))
        .expect(200);
      expect(me.body).toEqual(registered.body.user);
    });

    it('refuses a taken email, a wrong password and missing or forged tokens', async () => {
      const taken = await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'bob@test.local', password: 'password-123', displayName: 'B' });
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('CONFLICT');
      const wrong = await t
        .http()
        .post('/api/auth/login')
        .send({ email: 'bob@test.local', password: 'nope-nope-nope' });
      expect(wrong.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String) });
      expect((await t.http().get('/api/auth/me')).body.code).toBe('UNAUTHENTICATED');
      const forged = await t
        .http()
        .get('/api/events')
        .set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x');
      expect(forged.status).toBe(401);
    });
  });

  describe('permissions on admin routes', () => {
    let eventId: number;
    let ticketId: number;

    beforeAll(async () => {
      eventId = await createEvent('permissions', [3, 5]);
      const page = (
        await t
          .http()
          .get(`/api/events/${eventId}/tickets`)
          .set(...bearer(t.adminToken))
          .expect(200)
      ).body as TicketPage;
      ticketId = page.rows[0].id;
    });

    const adminRoutes = (): [string, string, object?][] => [
      ['post', '/api/events', { name: 'x' }],
      ['delete', `/api/events/${eventId}`],
      ['post', `/api/events/${eventId}/tickets`, { value: 3 }],
      ['post', `/api/events/${eventId}/tickets/bulk`, { count: 2, minValue: 1, maxValue: 2 }],
      ['delete', `/api/events/${eventId}/tickets/${ticketId}`],
      ['get', `/api/events/${eventId}/reservations`],
    ];

    it('answers 401 without a token and 403 for an attendee on every admin route, changing nothing', async () => {
      const before = await auditEvent(t.dataSource, eventId);
      for (const [method, path, body] of adminRoutes()) {
        const anonymous = await t.http()[method as 'post'](path).send(body);
        expect([path, anonymous.status, anonymous.body.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
        const forbidden = await requestWith(t, method as 'post', path)
          .set(...bearer(attendee.token))
          .send(body);
        expect([path, forbidden.status, forbidden.body.code]).toEqual([path, 403, 'FORBIDDEN']);
      }
      const after = await auditEvent(t.dataSource, eventId);
      expect(after.version).toBe(before.version);
      expect(after.tickets).toEqual(before.tickets);
    });

    it('lets the admin use every admin route', async () => {
      const statuses: number[] = [];
      for (const [method, path, body] of adminRoutes().reverse()) {
        statuses.push(
          (
            await requestWith(t, method as 'post', path)
              .set(...bearer(t.adminToken))
              .send(body)
          ).status,
        );
      }
      expect(statuses).toEqual([200, 204, 201, 201, 204, 201]);
    });

    it('treats roles as data: a new role gets exactly the permissions granted to it', async () => {
      const auditor = await t.attendee('auditor');
      await t.dataSource.query(
        "INSERT INTO role_permissions (role, permission) VALUES ('auditor', 'reservations:manage')",
      );
      await t.dataSource.query("UPDATE users SET role = 'auditor' WHERE id = ?", [auditor.userId]);
      const me = await t
        .http()
        .get('/api/auth/me')
        .set(...bearer(auditor.token))
        .expect(200);
      const login = await t
        .http()
        .post('/api/auth/login')
        .send({ email: me.body.email, password: 'password-123' })
        .expect(200);
      const other = await createEvent('audited', [1]);
      await t
        .http()
        .get(`/api/events/${other}/reservations`)
        .set(...bearer(login.body.accessToken))
        .expect(200);
      const denied = await t
        .http()
        .post('/api/events')
        .set(...bearer(login.body.accessToken))
        .send({ name: 'no' });
      expect(denied.status).toBe(403);
    });
  });

  describe('validation', () => {
    let eventId: number;
    beforeAll(async () => {
      eventId = await createEvent('validation', [2, 3]);
    });

    it.each([
      [
        'post',
        '/api/auth/register',
        { email: 'not-an-email', password: 'password-123', displayName: 'x' },
        'email',
      ],
      ['post', '/api/auth/register', { email: 'a@b.cd', password: 'short', displayName: 'x' }, 'password'],
      ['post', '/api/events', {}, 'name'],
      ['post', '/api/events', { name: 'x', extra: 1 }, 'extra'],
      ['post', '/api/events/EVENT/tickets', { value: 0 }, 'value'],
      ['post', '/api/events/EVENT/tickets', { value: 'seven' }, 'value'],
      ['post', '/api/events/EVENT/tickets/bulk', { count: 100001, minValue: 1, maxValue: 2 }, 'count'],
      ['post', '/api/events/EVENT/tickets/bulk', {}, 'tickets'],
      ['post', '/api/events/EVENT/tickets/bulk', { count: 5, minValue: 9, maxValue: 2 }, 'minValue'],
      [
        'post',
        '/api/events/EVENT/tickets/bulk',
        { tickets: [{ value: 1 }], count: 1, minValue: 1, maxValue: 1 },
        'not both',
      ],
      [
        'post',
        '/api/events/EVENT/tickets/bulk',
        { tickets: [{ value: 1 }, { value: -2 }] },
        'tickets.1.value',
      ],
      ['post', '/api/events', [{ name: 'x' }], 'name'],
      ['post', '/api/events/EVENT/reservations', { level: -1, requestId: 'r1' }, 'level'],
      ['post', '/api/events/EVENT/reservations', { level: 3 }, 'requestId'],
      ['get', '/api/events/EVENT/levels?limit=501', undefined, 'limit'],
      ['get', '/api/events/abc/levels', undefined, 'eventId'],
      ['get', '/api/events/EVENT/tickets?status=lost', undefined, 'status'],
    ])(
      '%s %s %j answers VALIDATION_FAILED naming %s and changes nothing',
      async (method, rawPath, body, field) => {
        const before = await auditEvent(t.dataSource, eventId);
        const path = rawPath.replace('EVENT', String(eventId));
        const response = await requestWith(t, method as 'post', path)
          .set(...bearer(t.adminToken))
          .send(body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          message: expect.stringContaining(field),
        });
        const after = await auditEvent(t.dataSource, eventId);
        expect(after.version).toBe(before.version);
        expect(after.tickets).toEqual(before.tickets);
      },
    );

    it('rejects malformed JSON with VALIDATION_FAILED', async () => {
      const response = await t
        .http()
        .post('/api/events')
        .set(...bearer(t.adminToken))
        .set('Content-Type', 'application/json')
        .send('{"name":');
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('answers NOT_FOUND for a missing event or level', async () => {
      const missing = await t
        .http()
        .get('/api/events/999999/levels')
        .set(...bearer(attendee.token));
      expect(missing.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String) });
      const level = await t
        .http()
        .get(`/api/events/${eventId}/levels/4`)
        .set(...bearer(attendee.token));
      expect(level.status).toBe(404);
    });
  });

  describe('events, tickets and levels', () => {
    it('serves every level of the event with a combination from the index', async () => {
      const eventId = await createEvent('powers', [1, 2, 4, 8]);
      const page = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels?limit=100`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as LevelPage;
      expect(page.total).toBe(15);
      expect(page.rows.map((row) => row.level)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      const filtered = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels?min=5&max=7&offset=1`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as LevelPage;
      expect(filtered).toMatchObject({ eventId, total: 3, offset: 1 });
      expect(filtered.rows.map((row) => row.level)).toEqual([6, 7]);
      const from = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels?fromLevel=9&limit=2&offset=1`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as LevelPage;
      expect(from).toMatchObject({ offset: 8, rows: [{ level: 9 }, { level: 10 }] });
      // Each row names its tickets' labels beside their ids.
      expect(page.rows[14]).toMatchObject({
        level: 15,
        ticketIds: expect.any(Array),
        ticketLabels: expect.arrayContaining([expect.stringMatching(/^#/)]),
      });
      expect(page.rows[14].ticketLabels).toHaveLength(4);
      const combo = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels/11`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as LevelCombo;
      expect(combo.tickets.map((ticket) => ticket.value).sort((a, b) => a - b)).toEqual([1, 2, 8]);
      expect(combo.tickets.every((ticket) => ticket.label.length > 0)).toBe(true);
      // The level count is recorded by the replica shortly after the change that made it.
      await expectEventually(async () => {
        const events = (
          await t
            .http()
            .get('/api/events')
            .set(...bearer(attendee.token))
            .expect(200)
        ).body as EventView[];
        expect(events.find((event) => event.id === eventId)).toMatchObject({
          totalTickets: 4,
          availableTickets: 4,
          levelCount: 15,
          version: 1,
        });
      });
    });

    it('creates single tickets, deletes available ones and refuses to delete a reserved one', async () => {
      const eventId = await createEvent('single', [5]);
      const created = (
        await t
          .http()
          .post(`/api/events/${eventId}/tickets`)
          .set(...bearer(t.adminToken))
          .send({ value: 7, label: 'VIP 7' })
          .expect(201)
      ).body as TicketView;
      expect(created).toMatchObject({ label: 'VIP 7', value: 7, status: 'available', reservationId: null });
      const reservation = (await reserve(attendee.token, eventId, 7, 'single-1').expect(201))
        .body as ReservationView;
      expect(reservation.ticketIds).toEqual([created.id]);
      const refused = await t
        .http()
        .delete(`/api/events/${eventId}/tickets/${created.id}`)
        .set(...bearer(t.adminToken));
      expect(refused.body).toEqual({ statusCode: 409, code: 'CONFLICT', message: expect.any(String) });
      const tickets = (
        await t
          .http()
          .get(`/api/events/${eventId}/tickets?status=available`)
          .set(...bearer(t.adminToken))
          .expect(200)
      ).body as TicketPage;
      expect(tickets.total).toBe(1);
      await t
        .http()
        .delete(`/api/events/${eventId}/tickets/${tickets.rows[0].id}`)
        .set(...bearer(t.adminToken))
        .expect(204);
      const audit = await auditEvent(t.dataSource, eventId);
      expect(audit).toMatchObject({ totalTickets: 1, availableTickets: 0, version: 4, outboxRows: 4 });
      const page = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as LevelPage;
      expect(page).toMatchObject({ total: 0, version: 4 });
    });

    it('bulk-creates 100,000 tickets in one call', async () => {
      const eventId = await createEvent('bulk', []);
      const response = await t
        .http()
        .post(`/api/events/${eventId}/tickets/bulk`)
        .set(...bearer(t.adminToken))
        .send({ count: 100_000, minValue: 1, maxValue: 20 })
        .expect(201);
      expect(response.body).toMatchObject({ created: 100_000, version: 1 });
      expect(response.body.lastId - response.body.firstId).toBeGreaterThanOrEqual(99_999);
      const audit = await auditEvent(t.dataSource, eventId);
      expect(audit.tickets).toHaveLength(100_000);
      expect(audit).toMatchObject({ totalTickets: 100_000, availableTickets: 100_000 });
      const page = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels?offset=0&limit=3`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as LevelPage;
      expect(page.total).toBe(audit.freshIndex().size);
      expect(page.rows[0].level).toBe(1);
      await t
        .http()
        .delete(`/api/events/${eventId}`)
        .set(...bearer(t.adminToken))
        .expect(204);
      expect(await t.dataSource.query('SELECT id FROM tickets WHERE event_id = ?', [eventId])).toHaveLength(
        0,
      );
    });
  });

  describe('reservations', () => {
    it('reserves the combination of a level, idempotently per requestId', async () => {
      const eventId = await createEvent('idempotent', [1, 2, 4, 8]);
      const first = await reserve(attendee.token, eventId, 6, 'req-1').expect(201);
      const view = first.body as ReservationView;
      expect(view).toMatchObject({ eventId, level: 6, userId: attendee.userId, status: 'held' });
      // A repeat is answered as the first call was.
      const again = await reserve(attendee.token, eventId, 6, 'req-1').expect(201);
      expect(again.body).toEqual(view);
      const audit = await auditEvent(t.dataSource, eventId);
      expect(audit.reservations).toHaveLength(1);
      expect(audit.availableTickets).toBe(2);
      const values = audit.tickets
        .filter((ticket) => view.ticketIds.includes(ticket.id))
        .map((ticket) => ticket.value);
      expect(values.reduce((a, b) => a + b, 0)).toBe(6);
      const mine = (
        await t
          .http()
          .get('/api/reservations/mine')
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as ReservationView[];
      expect(mine.filter((r) => r.eventId === eventId)).toEqual([view]);
      // Its detail, with the tickets' labels and values, for the holder and for an admin; nobody else learns it exists.
      const detail = (
        await t
          .http()
          .get(`/api/reservations/${view.id}`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as ReservationDetail;
      expect(detail).toMatchObject({ ...view, ticketsOffset: 0 });
      expect(detail.tickets.map((ticket) => ticket.id)).toEqual(view.ticketIds);
      expect(detail.tickets.reduce((sum, ticket) => sum + ticket.value, 0)).toBe(6);
      await t
        .http()
        .get(`/api/reservations/${view.id}?offset=1&limit=1`)
        .set(...bearer(t.adminToken))
        .expect(200);
      const stranger = await t.attendee('stranger');
      const hidden = await t
        .http()
        .get(`/api/reservations/${view.id}`)
        .set(...bearer(stranger.token));
      expect(hidden.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });

    it('a requestId reused for another level or event answers CONFLICT and changes nothing, even once cancelled', async () => {
      const eventId = await createEvent('idempotent-available', [1, 2, 4, 8]);
      const otherEventId = await createEvent('idempotent-other', [1, 2]);
      const first = (await reserve(attendee.token, eventId, 1, 'req-2').expect(201)).body as ReservationView;
      const before = await eventState(t.dataSource, eventId);
      const otherBefore = await eventState(t.dataSource, otherEventId);
      // Level 2 could be reserved, but this requestId is bound to level 1 of this event.
      const otherLevel = await reserve(attendee.token, eventId, 2, 'req-2').expect(409);
      expect(otherLevel.body).toMatchObject({ code: 'CONFLICT' });
      await reserve(attendee.token, otherEventId, 1, 'req-2').expect(409);
      // The same request again is a repeat: the first reservation, however often.
      expect((await reserve(attendee.token, eventId, 1, 'req-2').expect(201)).body).toEqual(first);
      const cancelled = (
        await t
          .http()
          .delete(`/api/reservations/${first.id}`)
          .set(...bearer(attendee.token))
          .expect(200)
      ).body as ReservationView;
      const afterCancel = await eventState(t.dataSource, eventId);
      await reserve(attendee.token, eventId, 2, 'req-2').expect(409);
      expect((await reserve(attendee.token, eventId, 1, 'req-2').expect(201)).body).toEqual(cancelled);
      expect(await eventState(t.dataSource, eventId)).toEqual(afterCancel);
      expect(afterCancel).toMatchObject({ availableTickets: 4, version: before.version + 1 });
      expect(await eventState(t.dataSource, otherEventId)).toEqual(otherBefore);
    });

    it('a requestId repeated concurrently yields one reservation', async () => {
      const eventId = await createEvent('concurrent-retry', [1, 2, 4, 8, 16]);
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => reserve(attendee.token, eventId, 24, 'same-request')),
      );
      expect(responses.map((r) => r.status).every((status) => status === 201)).toBe(true);
      const ids = new Set(responses.map((r) => (r.body as ReservationView).id));
      expect(ids.size).toBe(1);
      const audit = await auditEvent(t.dataSource, eventId);
      expect(audit.reservations).toHaveLength(1);
      expect(audit).toMatchObject({ availableTickets: 3, version: 2, outboxRows: 2 });
    });

    it('answers LEVEL_UNAVAILABLE when no combination is left', async () => {
      const eventId = await createEvent('unavailable', [3, 3]);
      await reserve(attendee.token, eventId, 6, 'u-1').expect(201);
      const refused = await reserve(attendee.token, eventId, 3, 'u-2');
      expect(refused.body).toEqual({
        statusCode: 409,
        code: 'LEVEL_UNAVAILABLE',
        message: expect.any(String),
      });
      expect((await auditEvent(t.dataSource, eventId)).reservations).toHaveLength(1);
    });

    it('cancel returns the tickets to the pool (owner or admin only; to anyone else the reservation does not exist)', async () => {
      const eventId = await createEvent('cancel', [1, 2, 4]);
      const reservation = (await reserve(attendee.token, eventId, 7, 'c-1').expect(201))
        .body as ReservationView;
      const levelsWhileHeld = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels`)
          .set(...bearer(attendee.token))
      ).body as LevelPage;
      expect(levelsWhileHeld.total).toBe(0);
      const stranger = await t.attendee('stranger');
      expect(
        (
          await t
            .http()
            .delete(`/api/reservations/${reservation.id}`)
            .set(...bearer(stranger.token))
        ).status,
      ).toBe(404);
      const cancelled = await t
        .http()
        .delete(`/api/reservations/${reservation.id}`)
        .set(...bearer(attendee.token))
        .expect(200);
      expect(cancelled.body).toMatchObject({
        id: reservation.id,
        status: 'cancelled',
        ticketIds: reservation.ticketIds,
      });
      const audit = await auditEvent(t.dataSource, eventId);
      expect(
        audit.tickets.every((ticket) => ticket.status === 'available' && ticket.reservationId === null),
      ).toBe(true);
      expect(audit.held).toEqual([]);
      expect(audit).toMatchObject({ availableTickets: 3, version: 3 });
      const levels = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels`)
          .set(...bearer(attendee.token))
      ).body as LevelPage;
      expect(levels).toMatchObject({ total: 7, version: 3 });
      // The tickets can be reserved again, by someone else; the admin may cancel that one.
      const second = (await reserve(stranger.token, eventId, 7, 'c-2').expect(201)).body as ReservationView;
      expect(second.ticketIds).toEqual(reservation.ticketIds);
      await t
        .http()
        .delete(`/api/reservations/${second.id}`)
        .set(...bearer(t.adminToken))
        .expect(200);
    });

    it('50 concurrent reservations of overlapping levels never double-book and keep every counter consistent', async () => {
      const values = Array.from({ length: 40 }, (_, i) => (i % 9) + 1);
      const eventId = await createEvent('race', values);
      const users = await Promise.all(Array.from({ length: 10 }, (_, i) => t.attendee(`racer${i}`)));
      const attempts = Array.from({ length: 50 }, (_, i) => ({
        user: users[i % users.length],
        level: 8 + (i % 7),
        requestId: `race-${i}`,
      }));
      const responses = await Promise.all(
        attempts.map((a) => reserve(a.user.token, eventId, a.level, a.requestId)),
      );

      const statuses = responses.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      expect(
        responses
          .filter((r) => r.status === 409)
          .every((r) => (r.body as ErrorBody).code === 'LEVEL_UNAVAILABLE'),
      ).toBe(true);
      const made = responses.filter((r) => r.status === 201).map((r) => r.body as ReservationView);
      expect(made.length).toBeGreaterThan(5);

      const audit = await auditEvent(t.dataSource, eventId);
      const heldIds = made.flatMap((r) => r.ticketIds);
      expect(new Set(heldIds).size).toBe(heldIds.length);
      expect(audit.held).toHaveLength(heldIds.length);
      expect(audit.reservations.filter((r) => r.status === 'held')).toHaveLength(made.length);
      const byId = new Map(audit.tickets.map((ticket) => [ticket.id, ticket]));
      for (const reservation of made) {
        expect(reservation.ticketIds.reduce((sum, id) => sum + byId.get(id)!.value, 0)).toBe(
          reservation.level,
        );
        for (const id of reservation.ticketIds)
          expect(byId.get(id)).toMatchObject({ status: 'reserved', reservationId: reservation.id });
      }
      const availableInDb = audit.tickets.filter((ticket) => ticket.status === 'available').length;
      expect(audit.availableTickets).toBe(availableInDb);
      expect(audit.availableTickets).toBe(values.length - heldIds.length);
      expect(audit.version).toBe(1 + made.length);
      expect(audit.outboxRows).toBe(audit.version);

      // Tickets only left the pool, so a level still reachable now was reachable when it was refused:
      // every LEVEL_UNAVAILABLE must be genuine.
      const fresh = audit.freshIndex();
      const refusedLevels = attempts.filter((_, i) => responses[i].status === 409).map((a) => a.level);
      expect(refusedLevels.filter((level) => fresh.has(level))).toEqual([]);

      // The in-memory index equals one rebuilt from the database.
      const page = (
        await t
          .http()
          .get(`/api/events/${eventId}/levels?limit=500`)
          .set(...bearer(attendee.token))
      ).body as LevelPage;
      const freshPage = fresh.page({ offset: 0, limit: 500, maxIds: 20 });
      expect(page).toMatchObject({ version: audit.version, total: freshPage.total });
      expect(page.rows.map(withoutLabels)).toEqual(freshPage.rows);
      expect(
        page.rows.every(
          (row) =>
            row.ticketLabels.length === row.ticketIds.length &&
            row.ticketLabels.every((label) => label.startsWith('#')),
        ),
      ).toBe(true);
    });
  });

  describe('health', () => {
    it('reports liveness and readiness', async () => {
      await t.http().get('/api/healthz').expect(200, { status: 'ok' });
      const ready = await t.http().get('/api/readyz').expect(200);
      expect(ready.body).toMatchObject({ status: 'ok', database: 'up', redis: 'disabled' });
      expect(ready.body.indexes).toEqual({
        loaded: expect.any(Number),
        building: [],
        memoryMb: expect.any(Number),
        budgetMb: 2048,
      });
      expect(ready.body.eventLoopDelayMs).toEqual({
        p99: expect.any(Number),
        max: expect.any(Number),
        windowMs: 10_000,
      });
    });
  });
});
