import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS_COMMAND_TIMEOUT_MS } from '../common/redis-clients';
import { ThrottledWarnings } from '../common/throttled-warnings';
import { CommittedChange, parseCommittedChange } from './committed-change';
import { InventoryFeed } from './inventory-feed';

/** Above this many tickets the message omits values; consumers read them from the outbox row. */
const MAX_INLINE_TICKETS = 2000;

/** What the feed uses of a Redis connection (ioredis's Redis is one; the unit test fakes it). */
export interface FeedConnection {
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connect(): Promise<void>;
  subscribe(channel: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  ping(): Promise<string>;
  disconnect(): void;
}

/**
 * Cluster feed over Redis pub/sub. The committing replica applies its change locally at once and
 * publishes it; every replica (itself included, as a dropped duplicate) receives it on the channel.
 * Pub/sub may lose messages while a subscriber is disconnected, so a reconnect triggers a resync
 * from the outbox; a periodic outbox poll covers a publisher that died after committing.
 */
export class RedisInventoryFeed extends InventoryFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RedisInventoryFeed');
  private readonly warnings = new ThrottledWarnings(this.logger);
  private readonly channel: string;

  /** Two connections: one that subscribes cannot publish. Both are connected by onModuleInit. */
  constructor(
    prefix: string,
    private readonly publisher: FeedConnection,
    private readonly subscriber: FeedConnection,
  ) {
    super();
    this.channel = `${prefix}inventory`;
  }

  /** The feed on the Redis server at `url`, its channel under `prefix`. */
  static connectingTo(url: string, prefix: string): RedisInventoryFeed {
    return new RedisInventoryFeed(
      prefix,
      new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 2,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      }),
      new Redis(url, { lazyConnect: true }),
    );
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const change = parseCommittedChange(message);
      // Dropped, not applied: the poll against the database (FEED_POLL_MS) catches up on a real change.
      if (change) this.received(change);
      else this.warnings.warn('feed', 'dropping a message that is not a committed change');
    });
    let connectedBefore = false;
    this.subscriber.on('ready', () => {
      if (connectedBefore) this.resync();
      connectedBefore = true;
    });
    this.subscriber.on('error', (error: Error) => this.warnings.warn('subscriber', error));
    this.publisher.on('error', (error: Error) => this.warnings.warn('publisher', error));
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  async publish(change: CommittedChange): Promise<void> {
    const wire =
      change.values && change.values.length > MAX_INLINE_TICKETS
        ? { ...change, ticketIds: [], values: null }
        : change;
    try {
      await this.publisher.publish(this.channel, JSON.stringify(wire));
    } catch (error) {
      // The change is committed and in the outbox; other replicas pick it up with their next poll.
      this.warnings.warn('publish', error);
    }
  }

  async isHealthy(): Promise<boolean> {
    try {
      return (await this.publisher.ping()) === 'PONG';
    } catch {
      return false;
    }
  }
}
