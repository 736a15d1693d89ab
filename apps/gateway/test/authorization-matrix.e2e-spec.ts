import { randomBytes } from 'node:crypto';
import type { AuthResponse, EventView, ReservationView, TicketView } from '@tickets/protocol';
import { entryPoints } from './support/entry-points';
import { call, handshakeError, TestSockets } from './support/sockets';
import { bearer, startTestApp, type TestApp } from './support/test-app';

const ROLES = ['anonymous', 'attendee', 'other attendee', 'admin'] as const;
type Role = (typeof ROLES)[number];

interface Account {
  userId: number;
  email: string;
  password: string;
  token: string;
}

/** What one call runs against: its own event, the attendee's reservation there, and the caller. */
interface Scene {
  eventId: number;
  ticketId: number;
  owner: Account;
  reservationId: number;
  caller: Account | null;
}

interface RestCase {
  path: (scene: Scene) => string;
  body?: (scene: Scene) => unknown;
  /** Expected status for anonymous, the attendee (who holds the reservation), another attendee, an admin. */
  expected: [number, number, number, number];
}

const fresh = (): string => randomBytes(4).toString('hex');

/**
 * Every REST route, keyed as Nest registers it. The test fails when the app has a route this
 * table lacks (or the table names one the app does not have), so a new route cannot go untested.
 */
const REST: Record<string, RestCase> = {
  'POST /api/auth/register': {
    path: () => '/api/auth/register',
    body: () => ({ email: `new-${fresh()}@test.local`, password: 'password-123', displayName: 'new' }),
    expected: [201, 201, 201, 201],
  },
  'POST /api/auth/login': {
    path: () => '/api/auth/login',
    body: (s) => ({ email: s.owner.email, password: s.owner.password }),
    expected: [200, 200, 200, 200],
  },
  'GET /api/auth/me': { path: () => '/api/auth/me', expected: [401, 200, 200, 200] },
  'POST /api/auth/refresh': { path: () => '/api/auth/refresh', expected: [401, 200, 200, 200] },
  'POST /api/auth/logout': { path: () => '/api/auth/logout', expected: [401, 204, 204, 204] },
  'POST /api/auth/logout-everywhere': {
    path: () => '/api/auth/logout-everywhere',
    expected: [401, 204, 204, 204],
  },
  'POST /api/auth/password': {
    path: () => '/api/auth/password',
    body: (s) => ({
      currentPassword: s.caller?.password ?? 'password-123',
      newPassword: 'another-password-1',
    }),
    expected: [401, 200, 200, 200],
  },
  'GET /api/users': { path: () => '/api/users', expected: [401, 403, 403, 200] },
  'PATCH /api/users/:id': {
    path: (s) => `/api/users/${s.owner.userId}`,
    body: () => ({ role: 'attendee' }),
    expected: [401, 403, 403, 200],
  },
  'GET /api/events': { path: () => '/api/events', expected: [401, 200, 200, 200] },
  'GET /api/events/:eventId': { path: (s) => `/api/events/${s.eventId}`, expected: [401, 200, 200, 200] },
  'POST /api/events': {
    path: () => '/api/events',
    body: () => ({ name: 'matrix' }),
    expected: [401, 403, 403, 201],
  },
  'PATCH /api/events/:eventId': {
    path: (s) => `/api/events/${s.eventId}`,
    body: () => ({ holdTtlSeconds: 300 }),
    expected: [401, 403, 403, 200],
  },
  'DELETE /api/events/:eventId': {
    path: (s) => `/api/events/${s.eventId}?force=true`,
    expected: [401, 403, 403, 204],
  },
  'GET /api/events/:eventId/tickets': {
    path: (s) => `/api/events/${s.eventId}/tickets`,
    expected: [401, 200, 200, 200],
  },
  'POST /api/events/:eventId/tickets': {
    path: (s) => `/api/events/${s.eventId}/tickets`,
    body: () => ({ value: 3 }),
    expected: [401, 403, 403, 201],
  },
  'POST /api/events/:eventId/tickets/bulk': {
    path: (s) => `/api/events/${s.eventId}/tickets/bulk`,
    body: () => ({ tickets: [{ value: 3 }] }),
    expected: [401, 403, 403, 201],
  },
  'DELETE /api/events/:eventId/tickets/:ticketId': {
    path: (s) => `/api/events/${s.eventId}/tickets/${s.ticketId}`,
    expected: [401, 403, 403, 204],
  },
  'GET /api/events/:eventId/levels': {
    path: (s) => `/api/events/${s.eventId}/levels`,
    expected: [401, 200, 200, 200],
  },
  'GET /api/events/:eventId/levels/:level': {
    path: (s) => `/api/events/${s.eventId}/levels/2`,
    expected: [401, 200, 200, 200],
  },
  'POST /api/events/:eventId/reservations': {
    path: (s) => `/api/events/${s.eventId}/reservations`,
    body: () => ({ level: 2, requestId: fresh() }),
    expected: [401, 201, 201, 201],
  },
  'GET /api/events/:eventId/reservations': {
    path: (s) => `/api/events/${s.eventId}/reservations`,
    expected: [401, 403, 403, 200],
  },
  'GET /api/events/:eventId/limits': {
    path: (s) => `/api/events/${s.eventId}/limits`,
    expected: [401, 200, 200, 200],
  },
  'GET /api/reservations/mine': { path: () => '/api/reservations/mine', expected: [401, 200, 200, 200] },
  'GET /api/reservations/:id': {
    path: (s) => `/api/reservations/${s.reservationId}`,
    expected: [401, 200, 404, 200],
  },
  // Only the holder confirms their hold: to anyone else, admins included, it does not exist.
  'POST /api/reservations/:id/confirm': {
    path: (s) => `/api/reservations/${s.reservationId}/confirm`,
    expected: [401, 200, 404, 404],
  },
  'GET /api/reservations/:id/history': {
    path: (s) => `/api/reservations/${s.reservationId}/history`,
    expected: [401, 200, 404, 200],
  },
  'DELETE /api/reservations/:id': {
    path: (s) => `/api/reservations/${s.reservationId}`,
    expected: [401, 200, 404, 200],
  },
  'GET /api/audit': { path: () => '/api/audit', expected: [401, 403, 403, 200] },
  'GET /api/audience': { path: () => '/api/audience', expected: [401, 403, 403, 200] },
  'GET /api/healthz': { path: () => '/api/healthz', expected: [200, 200, 200, 200] },
  'GET /api/readyz': { path: () => '/api/readyz', expected: [200, 200, 200, 200] },
  'GET /metrics': { path: () => '/metrics', expected: [200, 200, 200, 200] },
};

/** Every socket message, with a valid payload and the ack expected for the attendee, another attendee, an admin ('ok' or an error code). */
const SOCKET: Record<string, { payload: (s: Scene) => unknown; expected: [string, string, string] }> = {
  'event:join': { payload: (s) => ({ eventId: s.eventId }), expected: ['ok', 'ok', 'ok'] },
  'event:leave': { payload: (s) => ({ eventId: s.eventId }), expected: ['ok', 'ok', 'ok'] },
  'lobby:join': { payload: () => ({}), expected: ['ok', 'ok', 'ok'] },
  'lobby:leave': { payload: () => ({}), expected: ['ok', 'ok', 'ok'] },
  'levels:page': {
    payload: (s) => ({ eventId: s.eventId, offset: 0, limit: 10 }),
    expected: ['ok', 'ok', 'ok'],
  },
  'levels:combo': { payload: (s) => ({ eventId: s.eventId, level: 2 }), expected: ['ok', 'ok', 'ok'] },
  reserve: {
    payload: (s) => ({ eventId: s.eventId, level: 2, requestId: fresh() }),
    expected: ['ok', 'ok', 'ok'],
  },
  'reservation:confirm': {
    payload: (s) => ({ reservationId: s.reservationId }),
    expected: ['ok', 'NOT_FOUND', 'NOT_FOUND'],
  },
};

describe('the authorization matrix', () => {
  let t: TestApp;
  const sockets = new TestSockets(() => t.url);

  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
  });

  async function account(role: 'attendee' | 'admin'): Promise<Account> {
    const email = `${role}-${fresh()}@test.local`;
    const password = `pw-${fresh()}${fresh()}`;
    const registered = (
      await t.http().post('/api/auth/register').send({ email, password, displayName: role }).expect(201)
    ).body as AuthResponse;
    if (role === 'admin')
      await t
        .http()
        .patch(`/api/users/${registered.user.id}`)
        .set(...bearer(t.adminToken))
        .send({ role: 'admin' })
        .expect(200);
    return { userId: registered.user.id, email, password, token: registered.accessToken };
  }

  async function scene(role: Role): Promise<Scene> {
    const admin = bearer(t.adminToken);
    const eventId = (
      (
        await t
          .http()
          .post('/api/events')
          .set(...admin)
          .send({ name: `matrix-${fresh()}` })
          .expect(201)
      ).body as EventView
    ).id;
    await t
      .http()
      .post(`/api/events/${eventId}/tickets/bulk`)
      .set(...admin)
      .send({ tickets: [1, 2, 4, 8].map((value) => ({ value })) })
      .expect(201);
    const ticketId = (
      (
        await t
          .http()
          .post(`/api/events/${eventId}/tickets`)
          .set(...admin)
          .send({ value: 64 })
          .expect(201)
      ).body as TicketView
    ).id;
    const owner = await account('attendee');
    const reservation = (
      await t
        .http()
        .post(`/api/events/${eventId}/reservations`)
        .set(...bearer(owner.token))
        .send({ level: 1, requestId: 'owned' })
        .expect(201)
    ).body as ReservationView;
    const caller =
      role === 'anonymous'
        ? null
        : role === 'attendee'
          ? owner
          : await account(role === 'admin' ? 'admin' : 'attendee');
    return { eventId, ticketId, owner, reservationId: reservation.id, caller };
  }

  it('has an expectation for exactly the routes and messages the app has', () => {
    const { routes, messages } = entryPoints(t.app);
    expect(routes.map((route) => route.key).sort()).toEqual(Object.keys(REST).sort());
    expect(messages.sort()).toEqual(Object.keys(SOCKET).sort());
  });

  describe.each(Object.entries(REST))('%s', (key, rest) => {
    it.each(ROLES.map((role, index) => [role, rest.expected[index]] as const))(
      'as %s answers %i',
      async (role, status) => {
        const s = await scene(role);
        const method = key.split(' ')[0].toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
        let request = t.http()[method](rest.path(s));
        if (s.caller) request = request.set(...bearer(s.caller.token));
        const response = rest.body ? await request.send(rest.body(s) as object) : await request;
        expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({
          status,
          code: status >= 400 ? expect.any(String) : undefined,
        });
      },
    );
  });

  it('refuses every socket message to anonymous callers at the handshake', async () => {
    expect((await handshakeError(sockets.connect(null))).data?.code).toBe('UNAUTHENTICATED');
  });

  describe.each(Object.entries(SOCKET))('socket %s', (message, socketCase) => {
    it.each(
      (['attendee', 'other attendee', 'admin'] as const).map(
        (role, index) => [role, socketCase.expected[index]] as const,
      ),
    )('as %s answers %s', async (role, expected) => {
      const s = await scene(role);
      const socket = await sockets.connected(s.caller!.token);
      const ack = await call(socket, message, socketCase.payload(s));
      expect(ack.ok ? 'ok' : ack.error.code).toBe(expected);
      socket.disconnect();
    });
  });
});

describe('permissions on socket messages', () => {
  let t: TestApp;
  const sockets = new TestSockets(() => t.url);

  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
  });

  it('refuses reserve to a role without levels:reserve, over the socket as over REST, from the next message after a role change', async () => {
    const eventId = await t.eventWithTickets('look only', [{ value: 5 }, { value: 5 }]);
    // Roles are data: a role exists by its grants.
    await t.dataSource.query(
      "INSERT INTO role_permissions (role, permission) VALUES ('viewer', 'events:view')",
    );
    const user = (
      await t
        .http()
        .post('/api/auth/register')
        .send({ email: `viewer-${fresh()}@test.local`, password: 'password-123', displayName: 'viewer' })
        .expect(201)
    ).body as AuthResponse;
    const socket = await sockets.connected(user.accessToken);
    expect(await call(socket, 'reserve', { eventId, level: 5, requestId: 'a' })).toMatchObject({ ok: true });
    await t
      .http()
      .patch(`/api/users/${user.user.id}`)
      .set(...bearer(t.adminToken))
      .send({ role: 'viewer' })
      .expect(200);
    // The same socket, the same token: the next message acts with the role the database has now.
    expect(await call(socket, 'reserve', { eventId, level: 5, requestId: 'b' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await t
      .http()
      .post(`/api/events/${eventId}/reservations`)
      .set(...bearer(user.accessToken))
      .send({ level: 5, requestId: 'c' })
      .expect(403);
    // Reading stays allowed.
    expect(await call(socket, 'levels:combo', { eventId, level: 5 })).toMatchObject({ ok: true });
    expect(
      (
        (
          await t
            .http()
            .get(`/api/events/${eventId}`)
            .set(...bearer(t.adminToken))
            .expect(200)
        ).body as EventView
      ).availableTickets,
    ).toBe(1);
  });
});
