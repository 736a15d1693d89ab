import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Ack, EventSnapshot, ReservationView } from '@tickets/protocol';
import Redis from 'ioredis';
import { MetricsServer } from '../src/observability/metrics-server';
import { expectEventually } from './support/expect-eventually';
import { call, TestSockets } from './support/sockets';
import { bearer, startTestApp, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-database';

/** The value of one sample of the exposition (labels in any order), or undefined when absent. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** GET /metrics on the API port: the figures issue 14 lists, recorded by a real gateway on MariaDB and Redis. */
describe('metrics', () => {
  const prefix = `tickets-test-${randomBytes(4).toString('hex')}:`;
  const sockets = new TestSockets(() => t.url);
  let t: TestApp;
  let eventId: number;

  beforeAll(async () => {
    t = await startTestApp('mysql', {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      BROADCAST_INTERVAL_MS: '0',
    });
    eventId = await t.eventWithTickets(
      'metered',
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

  const scrape = async (): Promise<string> => {
    const response = await t.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return response.text;
  };

  it('counts reservations by outcome and transport, times their answers and their delivery to sockets', async () => {
    const before = await scrape();
    const attendee = await t.attendee();
    const watcher = await sockets.connected(attendee.token);
    expect((await call<EventSnapshot>(watcher, 'event:join', { eventId })).ok).toBe(true);
    const changes: number[] = [];
    watcher.on('inventory:changed', (message) =>
      changes.push(...message.changes.map((change) => change.version)),
    );

    await t
      .http()
      .post(`/api/events/${eventId}/reservations`)
      .set(...bearer(attendee.token))
      .send({ level: 1, requestId: 'rest-ok' })
      .expect(201);
    await t
      .http()
      .post(`/api/events/${eventId}/reservations`)
      .set(...bearer(attendee.token))
      .send({ level: 1, requestId: 'rest-gone' })
      .expect(409);
    const viaSocket: Ack<ReservationView> = await call(watcher, 'reserve', {
      eventId,
      level: 2,
      requestId: 'socket-ok',
    });
    expect(viaSocket.ok).toBe(true);
    await expectEventually(() => expect(changes).toHaveLength(2));

    // The figures are recorded as the answers and messages leave, which may be just after the client has them.
    await expectEventually(async () => {
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string> = {}): number =>
        (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
      expect(delta('tickets_reservations_total', { outcome: 'ok', transport: 'rest' })).toBe(1);
      expect(delta('tickets_reservations_total', { outcome: 'unavailable', transport: 'rest' })).toBe(1);
      expect(delta('tickets_reservations_total', { outcome: 'ok', transport: 'socket' })).toBe(1);
      expect(delta('tickets_reserve_ack_seconds_count', { transport: 'rest' })).toBe(2);
      expect(delta('tickets_reserve_ack_seconds_count', { transport: 'socket' })).toBe(1);
      // Two changes reached the room, each in a message of its own (no coalescing interval here).
      expect(delta('tickets_inventory_messages_total')).toBeGreaterThanOrEqual(2);
      expect(delta('tickets_commit_to_delivery_seconds_count')).toBeGreaterThanOrEqual(2);
      expect(delta('tickets_inventory_changes_per_message_sum')).toBeGreaterThanOrEqual(2);
      expect(
        delta('tickets_http_request_seconds_count', {
          method: 'POST',
          route: '/api/events/:eventId/reservations',
          status: '201',
        }),
      ).toBe(1);
      expect(
        delta('tickets_http_request_seconds_count', {
          method: 'POST',
          route: '/api/events/:eventId/reservations',
          status: '409',
        }),
      ).toBe(1);
    });
  });

  it('shows sockets and rooms, indexes, the feed, the database pools, Redis and the event loop', async () => {
    const attendee = await t.attendee();
    const socket = await sockets.connected(attendee.token);
    expect((await call<EventSnapshot>(socket, 'event:join', { eventId })).ok).toBe(true);
    const text = await scrape();
    expect(sample(text, 'tickets_sockets')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tickets_event_rooms')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tickets_event_room_sockets')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'tickets_indexes', { state: 'loaded' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tickets_index_memory_bytes', { kind: 'used' })).toBeGreaterThan(0);
    expect(sample(text, 'tickets_index_build_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tickets_feed_lag_versions')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'tickets_database_up')).toBe(1);
    expect(
      sample(text, 'tickets_database_pool_connections', { pool: 'typeorm', state: 'open' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'tickets_database_pool_connections', { pool: 'fast-path', state: 'open' }),
    ).toBeGreaterThan(0);
    for (const connection of ['commands', 'subscriber', 'feed'])
      expect(sample(text, 'tickets_redis_connection_up', { connection })).toBe(1);
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('has every series the Grafana dashboard (deploy/grafana-dashboard.json) queries', async () => {
    const dashboard = readFileSync(resolve(__dirname, '../../../deploy/grafana-dashboard.json'), 'utf8');
    const queried = new Set(dashboard.match(/\b(?:tickets|nodejs|process)_\w+/g));
    expect(queried.size).toBeGreaterThan(10);
    const exposed = new Set(
      (await scrape()).split('\n').flatMap((line) => /^([a-zA-Z_:][\w:]*)[{ ]/.exec(line)?.[1] ?? []),
    );
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
  });
});

describe('metrics on METRICS_PORT', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { METRICS_PORT: '0' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are served on that port alone, not on the API port', async () => {
    await t.http().get('/metrics').expect(404);
    const port = t.app.get(MetricsServer).port();
    expect(port).not.toBeNull();
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('tickets_reservations_total');
    expect((await fetch(`http://127.0.0.1:${port}/api/events`)).status).toBe(404);
  });
});
