/**
 * What a replica does between SIGTERM and exit (lifecycle/graceful-shutdown.ts), on a real
 * process: a reservation in flight is finished and acknowledged before its socket is closed, idle
 * sockets are sent away at once with a lost connection (so Socket.IO clients reconnect elsewhere),
 * the port refuses new connections while the replica drains, and readiness says 503 from the first
 * moment. The reservation is held in flight by a lock the test takes on its user's row.
 */
import { connect } from 'node:net';
import type { Ack, ReservationView } from '@tickets/protocol';
import type { RowDataPacket } from 'mysql2/promise';
import { ApiClient } from '../cluster/api-client';
import { auditBookings } from '../cluster/booking-audit';
import { connectSocket, unwrap, type EventSocket } from '../cluster/event-client';
import { GatewayCluster } from '../cluster/gateway-cluster';
import { expectEventually } from '../support/expect-eventually';
import { startTestApp, type TestApp } from '../support/test-app';
import { DrainState } from '../../src/lifecycle/drain-state';

const REDIS_DB = 10;
/** How long something the test waits for may take on a busy machine: a liveness bound, not a speed goal. */
const BOUND = 60_000;

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('a replica given SIGTERM', () => {
  let cluster: GatewayCluster | undefined;
  const sockets: EventSocket[] = [];

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await cluster?.stop();
  }, 60_000);

  it('finishes the reservation in flight, acknowledges it, then sends every socket away and exits', async () => {
    cluster = await GatewayCluster.start({
      owner: 'drain_e2e',
      replicas: 1,
      redisDb: REDIS_DB,
      env: { SHUTDOWN_TIMEOUT_MS: '30000' },
    });
    const [replica] = cluster.replicas;
    const api = new ApiClient(replica.url);
    const admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
    const event = await admin.createEvent('drain');
    await admin.bulkCreateTickets(event.id, { count: 20, minValue: 1, maxValue: 5 });
    const [level] = (await admin.levels(event.id, 0, 1)).rows.map((row) => row.level);
    const [busyUser, idleUser] = await Promise.all([
      api.registerAttendee('busy'),
      api.registerAttendee('idle'),
    ]);
    const [busy, idle] = await Promise.all(
      [busyUser, idleUser].map((auth) => connectSocket(replica.url, auth.accessToken)),
    );
    sockets.push(busy, idle);
    const seen: string[] = [];
    busy.on('disconnect', (reason) => seen.push(`busy: ${reason}`));
    idle.on('disconnect', (reason) => seen.push(`idle: ${reason}`));
    unwrap(await busy.emitWithAck('event:join', { eventId: event.id }));

    // The user's row locked: the reservation waits on it inside its transaction (its first statement).
    const lock = await cluster.database.connect();
    let stopped: Promise<void> | undefined;
    try {
      await lock.beginTransaction();
      await lock.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [busyUser.user.id]);
      const reserved = new Promise<Ack<ReservationView>>((resolve) =>
        busy.emit('reserve', { eventId: event.id, level, requestId: 'in-flight' }, resolve),
      );
      let answer: Ack<ReservationView> | undefined;
      void reserved.then((ack) => {
        answer = ack;
        seen.push('busy: acknowledged');
      });
      await expectEventually(
        async () => {
          const waiting = await cluster!.database.query<RowDataPacket>(
            "SELECT trx_id FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'",
          );
          // An answer before the lock is released would mean the reservation never waited on it.
          expect({ lockWaits: waiting.length > 0, answer }).toEqual({ lockWaits: true, answer: undefined });
          // Every 500 ms: each look is a new database connection, and a storm of them starves the replica's.
        },
        BOUND,
        500,
      );

      stopped = replica.stop(60_000);
      // Draining: the idle socket is sent away with a lost connection (not told to stay away), the
      // port refuses newcomers, and the busy socket stays for its answer.
      await expectEventually(async () => {
        expect(seen).toEqual(['idle: transport close']);
        expect(await refusesConnections(replica.url)).toBe(true);
      }, BOUND);
      expect(replica.alive).toBe(true);
      expect(busy.connected).toBe(true);
      await lock.commit();

      const ack = await reserved;
      expect(ack.ok).toBe(true);
      await stopped;
      expect(seen).toEqual(['idle: transport close', 'busy: acknowledged', 'busy: transport close']);
      expect(replica.logs()).not.toMatch(/cut short|still closing/);
      const audit = await auditBookings(cluster.database, event.id, ack.ok ? [ack.data] : []);
      expect(audit.lostReservations).toEqual([]);
      expect(audit.activeReservations).toBe(1);
    } finally {
      await lock.end();
      await stopped;
    }
  }, 240_000);
});

describe('readiness while draining', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 once the drain began, while liveness stays 200', async () => {
    await t.http().get('/api/readyz').expect(200);
    t.app.get(DrainState).begin('SIGTERM');
    const response = await t.http().get('/api/readyz').expect(503);
    expect(response.body).toMatchObject({ status: 'unavailable', database: 'up' });
    await t.http().get('/api/healthz').expect(200);
  });
});
