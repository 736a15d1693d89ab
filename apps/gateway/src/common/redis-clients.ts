import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { Clock } from './clock';
import { ThrottledWarnings } from './throttled-warnings';

/**
 * How long a Redis command may go unanswered before it fails. Redis that stops answering without
 * closing the connection (a network partition) would otherwise hold every command, and with it
 * every reservation (abuse limits, the feed's publish), until TCP gives up; failing fast lets the
 * fallbacks run (memory limits, the outbox poll) and the replica serve degraded.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * The replica's shared Redis connections when REDIS_URL is set (null otherwise): one for commands
 * and publishing, one subscriber whose channels are handed to whoever subscribed (user
 * invalidations, revoked tokens). Errors are logged, at most once a minute per source.
 */
@Injectable()
export class RedisClients implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly command: Redis | null;
  private readonly subscriber: Redis | null;
  private readonly handlers = new Map<string, ((message: string) => void)[]>();
  private readonly warnings: ThrottledWarnings;

  constructor(
    private readonly config: AppConfig,
    clock: Clock,
  ) {
    this.warnings = new ThrottledWarnings(this.logger, 60_000, () => clock.nowMs());
    this.command =
      config.redisUrl === null
        ? null
        : new Redis(config.redisUrl, { maxRetriesPerRequest: 2, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    this.subscriber = config.redisUrl === null ? null : new Redis(config.redisUrl);
    this.command?.on('error', (error: Error) => this.warn('commands', error));
    this.subscriber?.on('error', (error: Error) => this.warn('subscriber', error));
    this.subscriber?.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) handler(message);
    });
  }

  /** The channel's full name (under REDIS_PREFIX). */
  channel(name: string): string {
    return `${this.config.redisPrefix}${name}`;
  }

  async subscribe(name: string, handler: (message: string) => void): Promise<void> {
    if (!this.subscriber) return;
    const channel = this.channel(name);
    const handlers = this.handlers.get(channel) ?? [];
    handlers.push(handler);
    this.handlers.set(channel, handlers);
    if (handlers.length === 1) await this.subscriber.subscribe(channel);
  }

  async publish(name: string, message: string): Promise<void> {
    try {
      await this.command?.publish(this.channel(name), message);
    } catch (error) {
      this.warn(`publish ${name}`, error);
    }
  }

  /** Is each connection ready (for metrics); empty without REDIS_URL. */
  connectionStates(): Record<string, boolean> {
    if (!this.command || !this.subscriber) return {};
    return { commands: this.command.status === 'ready', subscriber: this.subscriber.status === 'ready' };
  }

  /** Logs a Redis failure, at most once a minute for the same source. */
  warn(source: string, error: unknown): void {
    this.warnings.warn(source, error);
  }

  onApplicationShutdown(): void {
    this.command?.disconnect();
    this.subscriber?.disconnect();
  }
}
