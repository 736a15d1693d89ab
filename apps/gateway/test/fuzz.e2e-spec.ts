import { randomBytes } from 'node:crypto';
import { isErrorCode, type AuthResponse, type EventView, type ReservationView } from '@tickets/protocol';
import fc from 'fast-check';
import { entryPoints, type RestRoute } from './support/entry-points';
import { call, TestSockets, type ClientSocket } from './support/sockets';
import { bearer, requestWith, startTestApp, type TestApp } from './support/test-app';

/** Runs per route or message: enough to hit every kind of hostile value several times. */
const RUNS = 40;

/** Field names of our DTOs, so generated objects often carry a real field with a wrong value. */
const FIELD_NAMES = [
  'email',
  'password',
  'displayName',
  'name',
  'value',
  'label',
  'tickets',
  'count',
  'minValue',
  'maxValue',
  'level',
  'requestId',
  'eventId',
  'offset',
  'limit',
  'min',
  'max',
  'fromLevel',
  'status',
  'force',
  'role',
  'currentPassword',
  'newPassword',
  'version',
];

const hostileScalar = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '01',
    '+5',
    '1e3',
    '0x10',
    '1.5',
    'NaN',
    'Infinity',
    '9223372036854775807',
    '1e19',
    '4294967296',
    '__proto__',
    'constructor',
    'null',
    'true',
    'a\u0000b',
    'x\u202ey',
    '\ud800',
    "'; DROP TABLE users; --",
    '../../etc/passwd',
    '%00',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 31, 2 ** 53, -0, 1e19, -1, 0, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
);

const key = fc.oneof(
  fc.constantFrom(...FIELD_NAMES, '__proto__', 'constructor', 'prototype'),
  fc.string({ maxLength: 12 }),
);

/** Any JSON value, nested a little, built from hostile scalars and our field names. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A body: usually an object with our field names, sometimes any JSON at all. */
const hostileBody = fc.oneof(fc.dictionary(key, hostileValue, { maxKeys: 6 }), hostileValue);

const hostileQuery = fc.dictionary(
  key,
  fc.oneof(hostileScalar.map(String), fc.array(hostileScalar.map(String), { maxLength: 3 })),
  { maxKeys: 4 },
);

/** A path segment: the value percent-encoded; a lone surrogate becomes bytes that are not UTF-8 at all. */
const hostileSegment = hostileScalar.map((value) => {
  try {
    return encodeURIComponent(String(value)) || '%20';
  } catch {
    return '%ED%A0%80';
  }
});

/**
 * Every REST route and socket message (enumerated from Nest's metadata) gets hostile bodies,
 * queries, path parameters and payloads from fast-check. The property: never a server error;
 * every refusal has a protocol error code; a refused call leaves the event's version as it was;
 * a socket stays connected and answers every message.
 */
describe('fuzzing every input', () => {
  let t: TestApp;
  let eventId: number;
  let reservationId: number;
  let attendee: { token: string; userId: number };
  const sockets = new TestSockets(() => t.url);

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    eventId = await t.eventWithTickets(
      'fuzzed',
      [1, 2, 4, 8, 16].map((value) => ({ value })),
    );
    attendee = await t.attendee('fuzzer');
    reservationId = (
      (
        await t
          .http()
          .post(`/api/events/${eventId}/reservations`)
          .set(...bearer(attendee.token))
          .send({ level: 1, requestId: 'held' })
          .expect(201)
      ).body as ReservationView
    ).id;
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
  });

  const version = async (): Promise<number> =>
    (
      (
        await t
          .http()
          .get(`/api/events/${eventId}`)
          .set(...bearer(t.adminToken))
      ).body as EventView
    ).version;

  /** A valid id for the route's parameter, so that the body and query are what gets refused. */
  function validParam(name: string): string {
    if (name === 'eventId') return String(eventId);
    if (name === 'level') return '3';
    if (name === 'id') return String(reservationId);
    return '999999';
  }

  /** A session to spend: routes that end sessions (logout) get one of their own each run. */
  async function throwawayToken(): Promise<string> {
    const email = `fuzz-${randomBytes(4).toString('hex')}@test.local`;
    const response = await t
      .http()
      .post('/api/auth/register')
      .send({ email, password: 'password-123', displayName: 'fuzz' });
    return (response.body as AuthResponse).accessToken;
  }

  it('enumerates routes and messages to fuzz', () => {
    const { routes, messages } = entryPoints(t.app);
    expect(routes.length).toBeGreaterThan(20);
    expect(messages.length).toBeGreaterThan(5);
  });

  const routesOf = (): RestRoute[] => entryPoints(t.app).routes;

  it('never answers a hostile REST call with a server error, and a refusal changes nothing', async () => {
    for (const route of routesOf()) {
      const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
      const pathArb = fc.tuple(
        ...params.map((name) => fc.oneof(fc.constant(validParam(name)), hostileSegment)),
      );
      await fc.assert(
        fc.asyncProperty(pathArb, hostileQuery, hostileBody, async (segments, query, body) => {
          let path = route.path;
          params.forEach((name, i) => (path = path.replace(`:${name}`, segments[i])));
          const endsSession =
            route.path.startsWith('/api/auth/logout') || route.path === '/api/auth/password';
          const token = endsSession
            ? await throwawayToken()
            : route.method === 'GET' || route.path.includes('reservations')
              ? attendee.token
              : t.adminToken;
          const before = await version();
          const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
          let request = requestWith(t, method, path)
            .query(query)
            .set(...bearer(token));
          if (method !== 'get')
            request = request.set('Content-Type', 'application/json').send(JSON.stringify(body));
          const response = await request;
          const where = `${route.key} as ${path} ${JSON.stringify(query)} ${JSON.stringify(body)}`;
          expect({ where, status: response.status < 500 }).toEqual({ where, status: true });
          if (response.status >= 400) {
            expect({ where, code: isErrorCode((response.body as { code?: unknown }).code) }).toEqual({
              where,
              code: true,
            });
            expect({ where, version: await version() }).toEqual({ where, version: before });
          }
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('answers every hostile socket payload with an ack (ok:false and a code when refused), changing nothing on refusal', async () => {
    const socket: ClientSocket = await sockets.connected(attendee.token);
    const names = [...entryPoints(t.app).messages, 'no:such-message', 'constructor', '__proto__'];
    for (const name of names) {
      await fc.assert(
        fc.asyncProperty(hostileBody, async (payload) => {
          const before = await version();
          const ack = await call(socket, name, payload);
          const where = `${name} ${JSON.stringify(payload)}`;
          if (!ack.ok) {
            expect({ where, code: isErrorCode(ack.error.code) && ack.error.code !== 'INTERNAL' }).toEqual({
              where,
              code: true,
            });
            expect({ where, version: await version() }).toEqual({ where, version: before });
          }
          expect({ where, connected: socket.connected }).toEqual({ where, connected: true });
        }),
        { numRuns: RUNS },
      );
    }
  });
});
