/**
 * Sessions and abuse limits hold across replicas: a session ended on one replica is ended on the
 * other (REST and its open sockets) through Redis, a role change applies everywhere at the next
 * call, and a user's reservation budget is one budget. Two real gateway processes on one MariaDB
 * database and Redis.
 */
import type { AuthResponse, ErrorBody, SessionEndedMessage } from '@tickets/protocol';
import { expectEventually } from '../support/expect-eventually';
import { ApiClient, ApiError } from './api-client';
import { connectSocket, type EventSocket } from './event-client';
import { GatewayCluster } from './gateway-cluster';

const REDIS_DB = 11;
/** How long an announcement may take to reach the other replica: a liveness bound, not a speed goal. */
const BOUND = 15_000;

let cluster: GatewayCluster | undefined;
let urls: string[];
let admin: ApiClient;
const sockets: EventSocket[] = [];

beforeAll(async () => {
  cluster = await GatewayCluster.start({
    owner: 'sessions_e2e',
    replicas: 2,
    redisDb: REDIS_DB,
    env: { RESERVE_RATE_LIMIT: '3/60000' },
  });
  urls = cluster.replicas.map((replica) => replica.url);
  const api = new ApiClient(urls[0]);
  admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
}, 240_000);

afterAll(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await cluster?.stop();
}, 60_000);

/** The status a call answers (2xx as 200). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

async function socketOn(
  replica: number,
  token: string,
): Promise<{ socket: EventSocket; ended: SessionEndedMessage[] }> {
  const socket = await connectSocket(urls[replica], token);
  sockets.push(socket);
  const ended: SessionEndedMessage[] = [];
  socket.on('session:ended', (message) => ended.push(message));
  return { socket, ended };
}

describe('sessions across replicas', () => {
  it('signing out on one replica ends the token on the other, REST and open socket alike', async () => {
    const auth = await new ApiClient(urls[0]).registerAttendee('leaver');
    const elsewhere = await socketOn(1, auth.accessToken);
    await new ApiClient(urls[0], auth.accessToken).request('POST', '/auth/logout');
    await expectEventually(() => {
      expect(elsewhere.ended).toEqual([{ code: 'UNAUTHENTICATED', message: expect.any(String) }]);
      expect(elsewhere.socket.connected).toBe(false);
    }, BOUND);
    expect(await statusOf(new ApiClient(urls[1], auth.accessToken).request('GET', '/auth/me'))).toBe(401);
  });

  it('signing out everywhere ends every token of the user on every replica, and nobody else', async () => {
    const api = new ApiClient(urls[0]);
    const email = `everywhere-${Date.now()}@cluster.test`;
    const auth = await api.request<AuthResponse>('POST', '/auth/register', {
      email,
      password: 'password-123',
      displayName: 'everywhere',
    });
    const second = await api.login(email, 'password-123');
    const bystander = await api.registerAttendee('bystander');
    const socketA = await socketOn(0, auth.accessToken);
    const socketB = await socketOn(1, second.accessToken);
    const other = await socketOn(1, bystander.accessToken);
    await new ApiClient(urls[1], second.accessToken).request('POST', '/auth/logout-everywhere');
    await expectEventually(() => {
      expect([socketA.socket.connected, socketB.socket.connected]).toEqual([false, false]);
      expect([socketA.ended.length, socketB.ended.length]).toEqual([1, 1]);
    }, BOUND);
    for (const url of urls) {
      expect(await statusOf(new ApiClient(url, auth.accessToken).request('GET', '/auth/me'))).toBe(401);
      expect(await statusOf(new ApiClient(url, second.accessToken).request('GET', '/auth/me'))).toBe(401);
    }
    expect(other.socket.connected).toBe(true);
    expect(await statusOf(new ApiClient(urls[0], bystander.accessToken).request('GET', '/auth/me'))).toBe(
      200,
    );
  });

  it('a user demoted on one replica loses admin routes on the other at the next call, with the same token', async () => {
    const auth = await new ApiClient(urls[0]).registerAttendee('deputy');
    await admin.request('PATCH', `/users/${auth.user.id}`, { role: 'admin' });
    const deputyOnB = new ApiClient(urls[1], auth.accessToken);
    expect(await statusOf(deputyOnB.request('GET', '/audience'))).toBe(200);
    await admin.request('PATCH', `/users/${auth.user.id}`, { role: 'attendee' });
    await expectEventually(
      async () => expect(await statusOf(deputyOnB.request('GET', '/audience'))).toBe(403),
      BOUND,
    );
  });
});

describe('abuse limits across replicas', () => {
  it('gives a user one reservation budget over both replicas', async () => {
    const auth = await new ApiClient(urls[0]).registerAttendee('stampeder');
    const event = await admin.createEvent('budget');
    await admin.bulkCreateTickets(event.id, { tickets: [{ value: 1 }] });
    const reserve = (replica: number, requestId: string) =>
      new ApiClient(urls[replica], auth.accessToken).request('POST', `/events/${event.id}/reservations`, {
        level: 99,
        requestId,
      });
    expect(await statusOf(reserve(0, 'a'))).toBe(409);
    expect(await statusOf(reserve(1, 'b'))).toBe(409);
    expect(await statusOf(reserve(0, 'c'))).toBe(409);
    const refused = await reserve(1, 'd').catch((error: ApiError) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).body as ErrorBody).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
  });
});
