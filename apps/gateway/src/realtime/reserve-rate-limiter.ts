import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import Redis from 'ioredis';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';

/**
 * Per-user fixed-window limit on reserve calls (RESERVE_RATE_LIMIT). Counted in Redis when
 * REDIS_URL is set, so the limit holds across replicas; in memory otherwise. 0 points disables it.
 */
@Injectable()
export class ReserveRateLimiter implements OnApplicationShutdown {
  private readonly counts = new Map<string, number>();
  private readonly redis: Redis | null;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.redis = config.redisUrl === null ? null : new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
    this.redis?.on('error', () => undefined);
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  /** Counts one reserve call of the user; throws RATE_LIMITED above the limit. */
  async consume(userId: number): Promise<void> {
    const { points, windowMs } = this.config.reserveRateLimit;
    if (points === 0) return;
    const window = Math.floor(this.clock.nowMs() / windowMs);
    const key = `${this.config.redisPrefix}ratelimit:reserve:${userId}:${window}`;
    const count = this.redis ? await this.countInRedis(key, windowMs) : this.countInMemory(key, window);
    if (count > points) {
      throw new AppError(ErrorCode.RATE_LIMITED, `At most ${points} reserve calls per ${windowMs} ms; retry shortly`);
    }
  }

  private async countInRedis(key: string, windowMs: number): Promise<number> {
    const [[, count]] = (await this.redis!.multi().incr(key).pexpire(key, windowMs * 2).exec()) as [[Error | null, number]];
    return count;
  }

  private countInMemory(key: string, window: number): number {
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (this.counts.size > 10_000) {
      for (const stale of this.counts.keys()) if (!stale.endsWith(`:${window}`)) this.counts.delete(stale);
    }
    return count;
  }
}
