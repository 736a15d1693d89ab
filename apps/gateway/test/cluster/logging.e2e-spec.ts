/**
 * The production entry's log, read as an operator would: a gateway process (dist/main.js, JSON
 * logs at info) goes through sign-in, registration, a failed sign-in, a password change and
 * reservations over REST and a socket. Its output must carry one line per request and per socket
 * message with an id, the user, a duration and the outcome, and none of the secrets it was given
 * or handed out: passwords, access tokens (nor their signatures), JWT_SECRET.
 */
import { randomBytes } from 'node:crypto';
import type { AuthResponse, ReservationView } from '@tickets/protocol';
import { ApiClient, ApiError } from './api-client';
import { connectSocket, unwrap } from './event-client';
import { expectEventually } from '../support/expect-eventually';
import { GatewayCluster } from './gateway-cluster';

const REDIS_DB = 10;
const JWT_SECRET = randomBytes(32).toString('hex');

interface LogLine {
  msg?: string;
  level?: number;
  req?: { id?: string; method?: string; path?: string };
  res?: { status?: number };
  socketId?: string;
  message?: string;
  userId?: number | null;
  durationMs?: number;
  outcome?: string;
}

let cluster: GatewayCluster | undefined;

beforeAll(async () => {
  cluster = await GatewayCluster.start({
    owner: 'logging_e2e',
    replicas: 1,
    redisDb: REDIS_DB,
    env: { LOG_LEVEL: 'info', JWT_SECRET },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** The replica's output lines without the test's `[A] ` prefix. */
const rawLines = (): string[] =>
  cluster!.replicas[0]
    .logs()
    .split('\n')
    .map((line) => line.replace(/^\[A\] /, ''));

function jsonLines(): LogLine[] {
  return rawLines().flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

it('logs every request and socket message, and no password, token or secret', async () => {
  const url = cluster!.replicas[0].url;
  const anonymous = new ApiClient(url);
  const adminAuth = await anonymous.login(cluster!.admin.email, cluster!.admin.password);
  const admin = anonymous.withToken(adminAuth.accessToken);
  const event = await admin.createEvent('logged');
  await admin.bulkCreateTickets(event.id, { tickets: [1, 2, 4, 8].map((value) => ({ value })) });

  const email = `logged-${randomBytes(3).toString('hex')}@cluster.test`;
  const firstPassword = `first-${randomBytes(9).toString('hex')}`;
  const secondPassword = `second-${randomBytes(9).toString('hex')}`;
  const wrongPassword = `wrong-${randomBytes(9).toString('hex')}`;
  const registered = await anonymous.request<AuthResponse>('POST', '/auth/register', {
    email,
    password: firstPassword,
    displayName: 'Logged',
  });
  await expect(anonymous.login(email, wrongPassword)).rejects.toBeInstanceOf(ApiError);
  const changed = await anonymous
    .withToken(registered.accessToken)
    .request<AuthResponse>('POST', '/auth/password', {
      currentPassword: firstPassword,
      newPassword: secondPassword,
    });
  const signedIn = await anonymous.login(email, secondPassword);
  const user = anonymous.withToken(signedIn.accessToken);
  await user.request<ReservationView>('POST', `/events/${event.id}/reservations`, {
    level: 1,
    requestId: 'rest',
  });
  const socket = await connectSocket(url, signedIn.accessToken);
  try {
    unwrap(
      await socket
        .timeout(10_000)
        .emitWithAck('reserve', { eventId: event.id, level: 2, requestId: 'socket' }),
    );
  } finally {
    socket.close();
  }

  const userId = signedIn.user.id;
  const requestLine = (method: string, path: string): LogLine | undefined =>
    jsonLines().find(
      (line) => line.msg === 'request' && line.req?.method === method && line.req.path === path,
    );
  await expectEventually(
    () =>
      expect(jsonLines().some((line) => line.msg === 'socket message' && line.message === 'reserve')).toBe(
        true,
      ),
    10_000,
  );

  // One line per request: its id, the user once known, the status, a duration and the outcome.
  const reservation = requestLine('POST', `/api/events/${event.id}/reservations`);
  expect(reservation).toMatchObject({
    userId,
    res: { status: 201 },
    outcome: 'ok',
    durationMs: expect.any(Number),
  });
  expect(reservation?.req?.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(requestLine('POST', '/api/auth/register')).toMatchObject({ res: { status: 201 }, outcome: 'ok' });
  expect(requestLine('POST', '/api/auth/password')).toMatchObject({
    userId,
    res: { status: 200 },
    outcome: 'ok',
  });
  const signIns = jsonLines().filter(
    (line) => line.msg === 'request' && line.req?.path === '/api/auth/login',
  );
  expect(signIns.map((line) => line.outcome)).toEqual(expect.arrayContaining(['ok', 'UNAUTHENTICATED']));
  const ids = jsonLines().flatMap((line) => (line.msg === 'request' && line.req?.id ? [line.req.id] : []));
  expect(new Set(ids).size).toBe(ids.length);
  // One line per socket message, with the socket and the user.
  const socketLine = jsonLines().find((line) => line.msg === 'socket message' && line.message === 'reserve');
  expect(socketLine).toMatchObject({
    socketId: expect.any(String),
    userId,
    outcome: 'ok',
    durationMs: expect.any(Number),
  });

  const tokens = [adminAuth.accessToken, registered.accessToken, changed.accessToken, signedIn.accessToken];
  const secrets = [
    cluster!.admin.password,
    firstPassword,
    secondPassword,
    wrongPassword,
    JWT_SECRET,
    ...tokens,
    // A token's signature alone, should a line cut it.
    ...tokens.map((token) => token.split('.')[2]),
  ];
  const output = rawLines().join('\n');
  for (const secret of secrets)
    expect(output.includes(secret) ? `found ${secret.slice(0, 6)}…` : 'absent').toBe('absent');
}, 120_000);
