import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import type {
  AuthResponse,
  EventSnapshot,
  EventView,
  LevelPage,
  ReservationView,
  TicketPage,
} from '@tickets/protocol';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { eventState } from './support/audit';
import { call, handshakeError, TestSockets } from './support/sockets';
import { bearer, startTestApp, type TestApp } from './support/test-app';
import { TEST_REDIS_URL, type DatabaseKind } from './support/test-database';

const SETUPS: [string, DatabaseKind, boolean][] = [
  ['sqlite, sessions in memory', 'sqlite', false],
  ['mysql, sessions announced over Redis', 'mysql', true],
];

async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

/** Sessions, strict inputs, least disclosure, integrity and headers on one replica (cluster-wide sessions: test/cluster/sessions). */
describe.each(SETUPS)('security on %s', (_name, kind, withRedis) => {
  const prefix = `tickets-security-${randomBytes(4).toString('hex')}:`;
  let t: TestApp;
  let eventId: number;
  const sockets = new TestSockets(() => t.url);

  beforeAll(async () => {
    t = await startTestApp(kind, withRedis ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } : {});
    eventId = await t.eventWithTickets(
      'guarded',
      [1, 2, 4, 8, 16, 32].map((value) => ({ value })),
    );
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
    if (withRedis) await dropRedisKeys(prefix);
  });

  /** A token signed with the app's own secret: what a leaked secret, or a forged claim, would give. */
  function forge(userId: number, options: { tokenVersion?: number; expiresInSeconds?: number } = {}): string {
    return jwt.sign({ tv: options.tokenVersion ?? 0 }, t.config.jwtSecret, {
      algorithm: 'HS256',
      subject: String(userId),
      jwtid: randomUUID(),
      expiresIn: options.expiresInSeconds ?? 60,
    });
  }

  const me = (token: string) =>
    t
      .http()
      .get('/api/auth/me')
      .set(...bearer(token));

  async function signIn(email: string, password: string): Promise<AuthResponse> {
    return (await t.http().post('/api/auth/login').send({ email, password }).expect(200))
      .body as AuthResponse;
  }

  async function newAccount(name: string): Promise<{ email: string; password: string } & AuthResponse> {
    const email = `${name}-${randomBytes(3).toString('hex')}@test.local`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const response = await t
      .http()
      .post('/api/auth/register')
      .send({ email, password, displayName: name })
      .expect(201);
    return { email, password, ...(response.body as AuthResponse) };
  }

  /** Resolves with the session:ended message once the server ends the socket's session and disconnects it. */
  function sessionEnd(
    socket: ReturnType<TestSockets['connect']>,
  ): Promise<{ code: string; disconnected: boolean }> {
    return new Promise((resolve) =>
      socket.once('session:ended', (message) =>
        socket.once('disconnect', () => resolve({ code: message.code, disconnected: !socket.connected })),
      ),
    );
  }

  describe('sessions', () => {
    it('a token for a user who does not exist opens nothing: no REST call, no socket, no reservation', async () => {
      const before = await eventState(t.dataSource, eventId);
      const ghost = forge(999_999);
      expect((await me(ghost).expect(401)).body).toMatchObject({ code: 'UNAUTHENTICATED' });
      await t
        .http()
        .post(`/api/events/${eventId}/reservations`)
        .set(...bearer(ghost))
        .send({ level: 1, requestId: 'ghost' })
        .expect(401);
      expect((await handshakeError(sockets.connect(ghost))).data?.code).toBe('UNAUTHENTICATED');
      expect(await eventState(t.dataSource, eventId)).toEqual(before);
    });

    it('a token stops working when it expires, on REST and on an open socket, which is told and disconnected', async () => {
      const { user } = await newAccount('short-lived');
      const token = forge(user.id, { expiresInSeconds: 2 });
      await me(token).expect(200);
      const socket = await sockets.connected(token);
      const ended = sessionEnd(socket);
      expect((await call<EventSnapshot>(socket, 'event:join', { eventId })).ok).toBe(true);
      await expect(ended).resolves.toEqual({ code: 'UNAUTHENTICATED', disconnected: true });
      await me(token).expect(401);
    });

    it('a token renewed before it runs out: the new one works, the old one ends on REST and on its sockets', async () => {
      const account = await newAccount('renewer');
      const socket = await sockets.connected(account.accessToken);
      const ended = sessionEnd(socket);
      const renewed = (
        await t
          .http()
          .post('/api/auth/refresh')
          .set(...bearer(account.accessToken))
          .expect(200)
      ).body as AuthResponse;
      expect(renewed.accessToken).not.toBe(account.accessToken);
      expect(renewed.user).toEqual(account.user);
      await expect(ended).resolves.toEqual({ code: 'UNAUTHENTICATED', disconnected: true });
      await me(account.accessToken).expect(401);
      await t
        .http()
        .post('/api/auth/refresh')
        .set(...bearer(account.accessToken))
        .expect(401);
      await me(renewed.accessToken).expect(200);
      const fresh = await sockets.connected(renewed.accessToken);
      expect((await call<LevelPage>(fresh, 'levels:page', { eventId, offset: 0, limit: 5 })).ok).toBe(true);
    });

    it('logging out ends that token only, on REST and on its sockets; logging out everywhere ends every token', async () => {
      const account = await newAccount('leaver');
      const other = await signIn(account.email, account.password);
      const socket = await sockets.connected(account.accessToken);
      const otherSocket = await sockets.connected(other.accessToken);
      const ended = sessionEnd(socket);
      await t
        .http()
        .post('/api/auth/logout')
        .set(...bearer(account.accessToken))
        .expect(204);
      await expect(ended).resolves.toEqual({ code: 'UNAUTHENTICATED', disconnected: true });
      await me(account.accessToken).expect(401);
      await me(other.accessToken).expect(200);
      expect(otherSocket.connected).toBe(true);
      expect((await call<LevelPage>(otherSocket, 'levels:page', { eventId, offset: 0, limit: 5 })).ok).toBe(
        true,
      );

      const third = await signIn(account.email, account.password);
      const otherEnded = sessionEnd(otherSocket);
      await t
        .http()
        .post('/api/auth/logout-everywhere')
        .set(...bearer(other.accessToken))
        .expect(204);
      await expect(otherEnded).resolves.toEqual({ code: 'UNAUTHENTICATED', disconnected: true });
      await me(other.accessToken).expect(401);
      await me(third.accessToken).expect(401);
      // Signing in again works.
      await me((await signIn(account.email, account.password)).accessToken).expect(200);
    });

    it('a new password ends every other session and gives this one a fresh token; only the new password signs in', async () => {
      const account = await newAccount('changer');
      const elsewhere = await signIn(account.email, account.password);
      const socket = await sockets.connected(elsewhere.accessToken);
      const ended = sessionEnd(socket);
      const wrong = await t
        .http()
        .post('/api/auth/password')
        .set(...bearer(account.accessToken))
        .send({ currentPassword: 'not-it-at-all', newPassword: 'a-new-password-1' });
      expect(wrong.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      await me(elsewhere.accessToken).expect(200);
      const changed = (
        await t
          .http()
          .post('/api/auth/password')
          .set(...bearer(account.accessToken))
          .send({ currentPassword: account.password, newPassword: 'a-new-password-1' })
          .expect(200)
      ).body as AuthResponse;
      await expect(ended).resolves.toEqual({ code: 'UNAUTHENTICATED', disconnected: true });
      await me(account.accessToken).expect(401);
      await me(elsewhere.accessToken).expect(401);
      await me(changed.accessToken).expect(200);
      await t
        .http()
        .post('/api/auth/login')
        .send({ email: account.email, password: account.password })
        .expect(401);
      await signIn(account.email, 'a-new-password-1');
    });

    it('a demoted admin loses admin routes at the next request with the same token; the role comes from the database', async () => {
      const account = await newAccount('deputy');
      const promote = (role: string) =>
        t
          .http()
          .patch(`/api/users/${account.user.id}`)
          .set(...bearer(t.adminToken))
          .send({ role });
      await t
        .http()
        .post('/api/events')
        .set(...bearer(account.accessToken))
        .send({ name: 'not yet' })
        .expect(403);
      expect((await promote('admin').expect(200)).body).toMatchObject({ id: account.user.id, role: 'admin' });
      await t
        .http()
        .post('/api/events')
        .set(...bearer(account.accessToken))
        .send({ name: 'deputy event' })
        .expect(201);
      await promote('attendee').expect(200);
      await t
        .http()
        .post('/api/events')
        .set(...bearer(account.accessToken))
        .send({ name: 'too late' })
        .expect(403);
      // A forged role claim changes nothing: tokens carry none.
      const forged = jwt.sign({ tv: 0, role: 'admin' }, t.config.jwtSecret, {
        subject: String(account.user.id),
        jwtid: randomUUID(),
        expiresIn: 60,
      });
      await t
        .http()
        .post('/api/events')
        .set(...bearer(forged))
        .send({ name: 'forged' })
        .expect(403);
      // Roles are checked; admins cannot change their own.
      await promote('emperor').expect(400);
      const admin = (await me(t.adminToken).expect(200)).body as { id: number };
      await t
        .http()
        .patch(`/api/users/${admin.id}`)
        .set(...bearer(t.adminToken))
        .send({ role: 'attendee' })
        .expect(409);
    });

    it('replaces a hash weaker than configured at the next sign-in', async () => {
      const account = await newAccount('legacy');
      const salt = randomBytes(16);
      const key = scryptSync(account.password, salt, 32, { N: 2 ** 10, r: 8, p: 1 });
      const weak = `scrypt$10$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
      await t.dataSource.query('UPDATE users SET password_hash = ? WHERE id = ?', [weak, account.user.id]);
      await signIn(account.email, account.password);
      const [{ password_hash: stored }] = (await t.dataSource.query(
        'SELECT password_hash FROM users WHERE id = ?',
        [account.user.id],
      )) as {
        password_hash: string;
      }[];
      expect(stored).toMatch(new RegExp(`^scrypt\\$${t.config.passwordHashCost}\\$8\\$1\\$`));
      await signIn(account.email, account.password);
    });
  });

  describe('strict inputs', () => {
    it.each([
      ['a level in exponent form', () => `/api/events/${eventId}/levels/1e3`],
      ['a level in hex', () => `/api/events/${eventId}/levels/0x10`],
      ['a signed level', () => `/api/events/${eventId}/levels/+5`],
      ['a level with a leading zero', () => `/api/events/${eventId}/levels/05`],
      ['an event id in exponent form', () => `/api/events/1e0/levels`],
      ['an event id past the id range', () => `/api/events/4294967296/levels`],
      ['an offset of 2^63 on tickets', () => `/api/events/${eventId}/tickets?offset=9223372036854775807`],
      ['an offset of 1e19 on levels', () => `/api/events/${eventId}/levels?offset=1e19`],
      ['an offset past MAX_OFFSET', () => `/api/events/${eventId}/levels?offset=1000000001`],
      ['a repeated query parameter', () => `/api/events/${eventId}/levels?offset=1&offset=2`],
      ['a fromLevel in hex', () => `/api/events/${eventId}/levels?fromLevel=0x1`],
      ['a reservation id with spaces', () => `/api/reservations/%201`],
    ])('refuses %s with VALIDATION_FAILED', async (_name, path) => {
      const response = await t
        .http()
        .get(path())
        .set(...bearer(t.adminToken));
      expect(response.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    });

    it.each([
      ['__proto__', '{"name":"x","__proto__":{"admin":true}}'],
      ['constructor', '{"name":"x","constructor":{"prototype":{"admin":true}}}'],
      ['prototype', '{"name":"x","prototype":1}'],
    ])('refuses a body with a %s key, creating nothing', async (_key, body) => {
      const before = (
        (
          await t
            .http()
            .get('/api/events')
            .set(...bearer(t.adminToken))
        ).body as EventView[]
      ).length;
      const response = await t
        .http()
        .post('/api/events')
        .set(...bearer(t.adminToken))
        .set('Content-Type', 'application/json')
        .send(body);
      expect(response.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect(
        (
          (
            await t
              .http()
              .get('/api/events')
              .set(...bearer(t.adminToken))
          ).body as EventView[]
        ).length,
      ).toBe(before);
    });

    it.each([
      ['a password of spaces', { password: ' '.repeat(12), displayName: 'spaces' }, 'password'],
      ['a password short once trimmed', { password: '   short1   ', displayName: 'trim' }, 'password'],
      ['a password past 200 characters', { password: 'p'.repeat(201), displayName: 'long' }, 'password'],
      ['a NUL in the display name', { password: 'password-123', displayName: 'a\u0000b' }, 'displayName'],
      [
        'a right-to-left override in the display name',
        { password: 'password-123', displayName: 'evil\u202etxt.exe' },
        'displayName',
      ],
      [
        'a newline in the display name',
        { password: 'password-123', displayName: 'two\nlines' },
        'displayName',
      ],
    ])('refuses %s at registration, creating nobody', async (_name, fields, field) => {
      const email = `strict-${randomBytes(3).toString('hex')}@test.local`;
      const response = await t
        .http()
        .post('/api/auth/register')
        .send({ email, ...fields });
      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining(field),
      });
      // Nobody was created: signing in with a valid password finds no account.
      await t.http().post('/api/auth/login').send({ email, password: 'password-123' }).expect(401);
    });

    it('refuses control and bidi characters in event names and ticket labels', async () => {
      for (const name of ['tab\there', 'abc\u2066def', 'bell\u0007']) {
        expect(
          (
            await t
              .http()
              .post('/api/events')
              .set(...bearer(t.adminToken))
              .send({ name })
          ).body,
        ).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      const before = await eventState(t.dataSource, eventId);
      const label = await t
        .http()
        .post(`/api/events/${eventId}/tickets`)
        .set(...bearer(t.adminToken))
        .send({ value: 3, label: 'x\u202ey' });
      expect(label.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await eventState(t.dataSource, eventId)).toEqual(before);
    });

    it('answers 415 UNSUPPORTED_MEDIA_TYPE to a body that is not JSON', async () => {
      for (const [type, body] of [
        ['text/plain', '{"name":"x"}'],
        ['application/x-www-form-urlencoded', 'name=x'],
      ]) {
        const response = await t
          .http()
          .post('/api/events')
          .set(...bearer(t.adminToken))
          .set('Content-Type', type)
          .send(body);
        expect(response.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      }
    });

    it('answers a socket message the protocol does not have, and offsets out of range, with ok:false', async () => {
      const socket = await sockets.connected((await t.attendee('prober')).token);
      await expect(call(socket, 'admin:drop-tables', {})).resolves.toEqual({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: 'Unknown message' },
      });
      await expect(call(socket, 'constructor', {})).resolves.toMatchObject({ ok: false });
      for (const offset of [1e19, 2 ** 53, -1, 1.5, '0']) {
        await expect(call(socket, 'levels:page', { eventId, offset, limit: 5 })).resolves.toMatchObject({
          ok: false,
          error: { code: 'VALIDATION_FAILED' },
        });
        await expect(call(socket, 'levels:combo', { eventId, level: 3, offset })).resolves.toMatchObject({
          ok: false,
          error: { code: 'VALIDATION_FAILED' },
        });
      }
      await expect(
        call(
          socket,
          'levels:page',
          JSON.parse(`{"eventId":${eventId},"offset":0,"limit":5,"__proto__":{"x":1}}`),
        ),
      ).resolves.toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
      expect(socket.connected).toBe(true);
    });
  });

  describe('least disclosure', () => {
    it('attendees do not see which reservation holds a ticket; admins do', async () => {
      const holder = await t.attendee('holder');
      const view = (
        await t
          .http()
          .post(`/api/events/${eventId}/reservations`)
          .set(...bearer(holder.token))
          .send({ level: 32, requestId: 'disclose' })
          .expect(201)
      ).body as ReservationView;
      const page = (token: string) =>
        t
          .http()
          .get(`/api/events/${eventId}/tickets?status=reserved`)
          .set(...bearer(token))
          .expect(200);
      const asAttendee = (await page((await t.attendee('nosy')).token)).body as TicketPage;
      expect(asAttendee.rows.length).toBeGreaterThan(0);
      expect(
        asAttendee.rows.every((ticket) => ticket.reservationId === null && ticket.status === 'reserved'),
      ).toBe(true);
      const asAdmin = (await page(t.adminToken)).body as TicketPage;
      expect(
        asAdmin.rows.filter((ticket) => ticket.reservationId === view.id).map((ticket) => ticket.id),
      ).toEqual(view.ticketIds);
    });
  });

  describe('integrity', () => {
    it('the database refuses rows that point at nothing', async () => {
      const orphanReservation = t.dataSource.query(
        "INSERT INTO reservations (event_id, user_id, level, status, ticket_ids, request_id, created_at) VALUES (?, ?, 1, 'held', '[]', 'orphan', ?)",
        [eventId, 999_999, '2026-01-01 00:00:00.000'],
      );
      await expect(orphanReservation).rejects.toThrow(/foreign key/i);
      const orphanTicket = t.dataSource.query(
        "INSERT INTO tickets (event_id, label, value, status) VALUES (?, 'x', 1, 'available')",
        [999_999],
      );
      await expect(orphanTicket).rejects.toThrow(/foreign key/i);
    });
  });

  describe('headers and origins', () => {
    it('sends security headers, a content security policy for the web app and no X-Powered-By', async () => {
      for (const path of ['/api/healthz', '/']) {
        const response = await t.http().get(path);
        expect(response.headers['x-powered-by']).toBeUndefined();
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['content-security-policy']).toContain("script-src 'self'");
        expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      }
    });

    it('allows no other origin by default: no CORS grant, a socket handshake from another page refused, no long-polling', async () => {
      const { token } = await t.attendee('cross-site');
      const preflight = await t
        .http()
        .options('/api/auth/me')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
      const read = await me(token).set('Origin', 'https://evil.example');
      expect(read.headers['access-control-allow-origin']).toBeUndefined();

      const foreign = sockets.connect(token, undefined, { extraHeaders: { Origin: 'https://evil.example' } });
      await expect(handshakeError(foreign)).resolves.toBeInstanceOf(Error);
      expect(foreign.connected).toBe(false);
      const own = await sockets.connected(token, { extraHeaders: { Origin: t.url } });
      expect(own.connected).toBe(true);
      const polling = sockets.connect(token, undefined, { transports: ['polling'] });
      await expect(handshakeError(polling)).resolves.toBeInstanceOf(Error);
    });
  });
});

describe('origins listed in CORS_ORIGIN', () => {
  let t: TestApp;
  const sockets = new TestSockets(() => t.url);

  beforeAll(async () => {
    t = await startTestApp('sqlite', { CORS_ORIGIN: 'https://app.example' });
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
  });

  it('grants the listed origin only, never with credentials, on REST and on the socket handshake', async () => {
    const { token } = await t.attendee('partner');
    const preflight = await t
      .http()
      .options('/api/auth/me')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const other = await t
      .http()
      .get('/api/auth/me')
      .set(...bearer(token))
      .set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).not.toBe('https://evil.example');
    expect(
      (await sockets.connected(token, { extraHeaders: { Origin: 'https://app.example' } })).connected,
    ).toBe(true);
    await expect(
      handshakeError(sockets.connect(token, undefined, { extraHeaders: { Origin: 'https://evil.example' } })),
    ).resolves.toBeInstanceOf(Error);
  });
});
