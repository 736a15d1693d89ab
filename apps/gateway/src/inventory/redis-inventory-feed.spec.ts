import { EventEmitter } from 'node:events';
import type { CommittedChange } from './committed-change';
import { RedisInventoryFeed, type FeedConnection } from './redis-inventory-feed';

/** A Redis server's pub/sub, in memory: a message published on a channel goes to every connection subscribed to it. */
class FakeRedisServer {
  readonly connections: FakeConnection[] = [];
  /** While down, commands fail as ioredis's do when the server cannot be reached. */
  down = false;

  connection(): FakeConnection {
    const connection = new FakeConnection(this);
    this.connections.push(connection);
    return connection;
  }

  deliver(channel: string, message: string): number {
    const subscribed = this.connections.filter((connection) => connection.channels.has(channel));
    for (const connection of subscribed) connection.emit('message', channel, message);
    return subscribed.length;
  }
}

/** One ioredis connection as the feed uses it: events through EventEmitter, commands against the fake server. */
class FakeConnection extends EventEmitter implements FeedConnection {
  readonly channels = new Set<string>();
  connected = false;

  constructor(private readonly server: FakeRedisServer) {
    super();
  }

  async connect(): Promise<void> {
    this.connected = true;
    this.emit('ready');
  }
  async subscribe(channel: string): Promise<unknown> {
    this.channels.add(channel);
    return 1;
  }
  async publish(channel: string, message: string): Promise<number> {
    if (this.server.down) throw new Error('Connection is closed.');
    return this.server.deliver(channel, message);
  }
  async ping(): Promise<string> {
    if (this.server.down) throw new Error('Connection is closed.');
    return 'PONG';
  }
  disconnect(): void {
    this.connected = false;
  }
  /** The connection dropped and came back (ioredis reconnects on its own and is ready again). */
  reconnect(): void {
    this.emit('ready');
  }
}

const change = (version: number, ticketIds: number[], values: number[] | null): CommittedChange => ({
  eventId: 1,
  version,
  cause: values ? 'ticket-created' : 'reserved',
  ticketIds,
  values,
  totalTickets: 10,
  availableTickets: 5,
  committedAt: 1_764_806_400_000,
});

/** A replica's feed on the server: what it received, and how often it was told to resync. */
async function replica(server: FakeRedisServer, prefix = 'test:') {
  const publisher = server.connection();
  const subscriber = server.connection();
  const feed = new RedisInventoryFeed(prefix, publisher, subscriber);
  const received: CommittedChange[] = [];
  let resyncs = 0;
  feed.onChange((change) => received.push(change));
  feed.onResync(() => resyncs++);
  await feed.onModuleInit();
  return { feed, publisher, subscriber, received, resyncs: () => resyncs };
}

describe('RedisInventoryFeed', () => {
  it("carries a change to every replica on the channel (the publisher's own echo included), as it was committed", async () => {
    const server = new FakeRedisServer();
    const a = await replica(server);
    const b = await replica(server);
    const elsewhere = await replica(server, 'other-install:');
    const committed = change(4, [7, 8], [3, 5]);
    await a.feed.publish(committed);
    expect(b.received).toEqual([committed]);
    expect(a.received).toEqual([committed]);
    expect(elsewhere.received).toEqual([]);
  });

  it('leaves out the tickets of a change over 2000 of them (consumers read it from the outbox)', async () => {
    const server = new FakeRedisServer();
    const a = await replica(server);
    const b = await replica(server);
    const ids = Array.from({ length: 2001 }, (_, i) => i + 1);
    await a.feed.publish(
      change(
        5,
        ids,
        ids.map(() => 1),
      ),
    );
    await a.feed.publish(change(6, ids.slice(0, 2000), ids.slice(0, 2000)));
    expect(b.received.map((c) => [c.version, c.ticketIds.length, c.values?.length ?? null])).toEqual([
      [5, 0, null],
      [6, 2000, 2000],
    ]);
  });

  it('drops a message on its channel that is not a committed change', async () => {
    const server = new FakeRedisServer();
    const b = await replica(server);
    for (const message of [
      '{',
      'null',
      JSON.stringify({ ...change(1, [1], null), cause: 'stolen' }),
      JSON.stringify({ ...change(1, [1], [5]), values: [5, 6] }),
    ]) {
      server.deliver('test:inventory', message);
    }
    expect(b.received).toEqual([]);
    server.deliver('test:inventory', JSON.stringify(change(1, [1], null)));
    expect(b.received).toEqual([change(1, [1], null)]);
  });

  it('asks for a resync when its subscriber comes back after a disconnect, not at the first connect', async () => {
    const server = new FakeRedisServer();
    const b = await replica(server);
    expect(b.resyncs()).toBe(0);
    b.subscriber.reconnect();
    expect(b.resyncs()).toBe(1);
    // The publisher's reconnects lose no message of this replica's.
    b.publisher.reconnect();
    expect(b.resyncs()).toBe(1);
  });

  it('never throws from publish while Redis is down, and reports itself unhealthy until it is back', async () => {
    const server = new FakeRedisServer();
    const a = await replica(server);
    await expect(a.feed.isHealthy()).resolves.toBe(true);
    server.down = true;
    await expect(a.feed.publish(change(1, [1], null))).resolves.toBeUndefined();
    await expect(a.feed.isHealthy()).resolves.toBe(false);
    server.down = false;
    await expect(a.feed.isHealthy()).resolves.toBe(true);
  });

  it('connects both connections at start and closes them at shutdown', async () => {
    const server = new FakeRedisServer();
    const a = await replica(server);
    expect([a.publisher.connected, a.subscriber.connected]).toEqual([true, true]);
    expect([...a.subscriber.channels]).toEqual(['test:inventory']);
    await a.feed.onApplicationShutdown();
    expect([a.publisher.connected, a.subscriber.connected]).toEqual([false, false]);
  });
});
