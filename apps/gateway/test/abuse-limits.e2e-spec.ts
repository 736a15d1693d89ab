import { randomBytes } from 'node:crypto';
import type { AckError, AuthResponse } from '@tickets/protocol';
import Redis from 'ioredis';
import { call, TestSockets } from './support/sockets';
import { bearer, startTestApp, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-database';

/**
 * Abuse limits counted in Redis (as with several replicas), one budget per door for REST and
 * socket alike. Addresses differ by X-Forwarded-For, trusted from one proxy (TRUST_PROXY=1).
 */
describe('abuse limits', () => {
  const prefix = `tickets-abuse-${randomBytes(4).toString('hex')}:`;
  let t: TestApp;
  let eventId: number;
  const sockets = new TestSockets(() => t.url);

  beforeAll(async () => {
    t = await startTestApp('mysql', {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      TRUST_PROXY: '1',
      LOGIN_RATE_LIMIT: '5/60000',
      LOGIN_FAILURES_BEFORE_LOCKOUT: '3',
      LOGIN_LOCKOUT_MS: '60000',
      REGISTER_RATE_LIMIT: '2/60000',
      RESERVE_RATE_LIMIT: '3/60000',
      READ_RATE_LIMIT: '3/60000',
    });
    eventId = await t.eventWithTickets(
      'limited',
      [1, 2, 4].map((value) => ({ value })),
    );
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  let addresses = 0;
  /** A fresh client address (documentation range 198.51.100.0/24 and beyond). */
  const address = (): string => `198.51.${100 + Math.floor(addresses / 250)}.${(addresses++ % 250) + 1}`;

  async function register(
    from: string,
    name: string,
  ): Promise<{ email: string; password: string } & AuthResponse> {
    const email = `${name}-${randomBytes(3).toString('hex')}@test.local`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const response = await t
      .http()
      .post('/api/auth/register')
      .set('X-Forwarded-For', from)
      .send({ email, password, displayName: name })
      .expect(201);
    return { email, password, ...(response.body as AuthResponse) };
  }

  const login = (from: string, email: string, password: string) =>
    t.http().post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password });

  function expectRateLimited(
    response: { status: number; headers: Record<string, string>; body: unknown },
    atMostSeconds: number,
  ): void {
    expect(response.status).toBe(429);
    expect(response.body).toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBe((response.body as { retryAfterSeconds: number }).retryAfterSeconds);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(atMostSeconds);
  }

  it('locks an account after failed sign-ins in a row, whatever the address, even for the right password', async () => {
    const account = await register(address(), 'victim');
    for (let i = 0; i < 3; i++) await login(address(), account.email, 'wrong-password').expect(401);
    expectRateLimited(await login(address(), account.email, account.password), 60);
    // Another account is not locked.
    const bystander = await register(address(), 'bystander');
    await login(address(), bystander.email, bystander.password).expect(200);
  });

  it('a success clears the failures in a row; unknown emails are counted like real ones', async () => {
    const account = await register(address(), 'forgetful');
    for (let i = 0; i < 2; i++) await login(address(), account.email, 'wrong-password').expect(401);
    await login(address(), account.email, account.password).expect(200);
    for (let i = 0; i < 2; i++) await login(address(), account.email, 'wrong-password').expect(401);
    await login(address(), account.email, account.password).expect(200);
    const nobody = `nobody-${randomBytes(3).toString('hex')}@test.local`;
    for (let i = 0; i < 3; i++) await login(address(), nobody, 'guess').expect(401);
    // The same answer as for a locked real account: no way to tell which emails exist.
    expectRateLimited(await login(address(), nobody, 'guess'), 60);
  });

  it('limits failed sign-ins per address across accounts; other addresses are not affected', async () => {
    const guesser = address();
    const accounts = await Promise.all([1, 2, 3].map((i) => register(address(), `target${i}`)));
    for (let i = 0; i < 5; i++) await login(guesser, accounts[i % 3].email, `guess-${i}`).expect(401);
    expectRateLimited(await login(guesser, accounts[0].email, accounts[0].password), 60);
    await login(address(), accounts[0].email, accounts[0].password).expect(200);
  });

  it('limits registrations per address', async () => {
    const from = address();
    await register(from, 'first');
    await register(from, 'second');
    const third = await t
      .http()
      .post('/api/auth/register')
      .set('X-Forwarded-For', from)
      .send({
        email: `third-${randomBytes(3).toString('hex')}@test.local`,
        password: 'password-123',
        displayName: 'third',
      });
    expectRateLimited(third, 60);
    await register(address(), 'elsewhere');
  });

  it('gives each user one reservation budget for REST and socket together', async () => {
    const user = await register(address(), 'stampeder');
    const socket = await sockets.connected(user.accessToken);
    const rest = (requestId: string) =>
      t
        .http()
        .post(`/api/events/${eventId}/reservations`)
        .set(...bearer(user.accessToken))
        .send({ level: 1000, requestId });
    await rest('a').expect(409);
    expect(await call(socket, 'reserve', { eventId, level: 1000, requestId: 'b' })).toMatchObject({
      ok: false,
      error: { code: 'LEVEL_UNAVAILABLE' },
    });
    await rest('c').expect(409);
    expectRateLimited(await rest('d'), 60);
    const refused = await call(socket, 'reserve', { eventId, level: 1, requestId: 'e' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect((refused as { error: AckError }).error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Nothing was reserved past the limit.
    expect(
      (
        (
          await t
            .http()
            .get('/api/reservations/mine')
            .set(...bearer(user.accessToken))
            .expect(200)
        ).body as unknown[]
      ).length,
    ).toBe(0);
    const other = await register(address(), 'patient');
    await t
      .http()
      .post(`/api/events/${eventId}/reservations`)
      .set(...bearer(other.accessToken))
      .send({ level: 1, requestId: 'a' })
      .expect(201);
  });

  it('gives each user one budget for level pages and combinations, REST and socket together', async () => {
    const user = await register(address(), 'scraper');
    const socket = await sockets.connected(user.accessToken);
    await t
      .http()
      .get(`/api/events/${eventId}/levels`)
      .set(...bearer(user.accessToken))
      .expect(200);
    expect(await call(socket, 'levels:combo', { eventId, level: 2 })).toMatchObject({ ok: true });
    await t
      .http()
      .get(`/api/events/${eventId}/levels/2`)
      .set(...bearer(user.accessToken))
      .expect(200);
    expectRateLimited(
      await t
        .http()
        .get(`/api/events/${eventId}/levels`)
        .set(...bearer(user.accessToken)),
      60,
    );
    expect(await call(socket, 'levels:page', { eventId, offset: 0, limit: 10 })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
  });
});
