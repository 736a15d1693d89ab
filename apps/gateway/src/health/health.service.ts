import { Injectable, OnModuleInit } from '@nestjs/common';
import type { ReadinessResponse } from '@tickets/protocol';
import { DataSource } from 'typeorm';
import { RedisClients } from '../common/redis-clients';
import { Timers, type ScheduledTask } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { MultiStatementPool } from '../database/multi-statement-pool';
import { DrainState } from '../lifecycle/drain-state';
import { InventoryFeed } from '../inventory/inventory-feed';
import { LocalInventory } from '../inventory/local-inventory';
import { Metrics, type DependencyFigures, type PoolFigures } from '../observability/metrics';
import { EventLoopMonitor } from './event-loop-monitor';
import { mysqlPoolFigures } from './pool-figures';

const MIB = 2 ** 20;
/**
 * A check that has not answered by then counts as down: a service that stops answering without
 * closing its connections (a network partition) would otherwise hold readiness, and the balancer's
 * probe, for as long as TCP takes to give up.
 */
export const CHECK_DEADLINE_MS = 2_000;

@Injectable()
export class HealthService implements OnModuleInit {
  constructor(
    private readonly database: Database,
    private readonly dataSource: DataSource,
    private readonly fastPathPool: MultiStatementPool,
    private readonly redis: RedisClients,
    private readonly feed: InventoryFeed,
    private readonly inventory: LocalInventory,
    private readonly eventLoop: EventLoopMonitor,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
    private readonly timers: Timers,
    private readonly drain: DrainState,
  ) {}

  onModuleInit(): void {
    this.metrics.readIndexes(() => {
      const status = this.inventory.status();
      return {
        loaded: status.loaded,
        building: status.building.length,
        memoryBytes: status.memoryBytes,
        budgetBytes: status.budgetBytes,
      };
    });
    this.metrics.readDependencies(() => this.dependencies());
  }

  /**
   * Unavailable at once while the replica drains (it got SIGTERM). Otherwise ready when the
   * database answers: without it nothing can be reserved. Redis down leaves the
   * replica serving, degraded (`status: 'degraded'`, still 200): reservations commit in the
   * database, the other replicas learn of them from the outbox poll (FEED_POLL_MS), abuse limits
   * count in memory; taking every replica out of the balancer for it would stop the service
   * instead. Reports what the indexes and the event loop are doing.
   */
  async readiness(): Promise<ReadinessResponse> {
    const [databaseUp, redisUp] = await Promise.all([
      this.withinDeadline(this.database.ping()),
      this.config.redisUrl === null ? null : this.withinDeadline(this.feed.isHealthy()),
    ]);
    const database = databaseUp ? 'up' : 'down';
    const redis = redisUp === null ? 'disabled' : redisUp ? 'up' : 'down';
    const indexes = this.inventory.status();
    return {
      status:
        this.drain.draining || database === 'down' ? 'unavailable' : redis === 'down' ? 'degraded' : 'ok',
      database,
      redis,
      indexes: {
        loaded: indexes.loaded,
        building: indexes.building,
        memoryMb: Math.round((indexes.memoryBytes / MIB) * 10) / 10,
        budgetMb: Math.round(indexes.budgetBytes / MIB),
      },
      eventLoopDelayMs: this.eventLoop.delay(),
    };
  }

  /** The check's answer, or false when it has none within CHECK_DEADLINE_MS (the check itself goes on). */
  private withinDeadline(check: Promise<boolean>): Promise<boolean> {
    let deadline: ScheduledTask | undefined;
    const late = new Promise<boolean>((resolve) => {
      deadline = this.timers.after(CHECK_DEADLINE_MS, () => resolve(false));
    });
    return Promise.race([check, late]).finally(() => deadline?.cancel());
  }

  private async dependencies(): Promise<DependencyFigures> {
    const [databaseUp, feedUp] = await Promise.all([
      this.withinDeadline(this.database.ping()),
      this.config.redisUrl === null ? null : this.withinDeadline(this.feed.isHealthy()),
    ]);
    const redis: Record<string, boolean> = this.redis.connectionStates();
    if (feedUp !== null) redis.feed = feedUp;
    const pools: Record<string, PoolFigures> = {};
    if (this.config.database.kind === 'mysql') {
      const typeorm = mysqlPoolFigures((this.dataSource.driver as { pool?: unknown }).pool);
      const fastPath = mysqlPoolFigures(this.fastPathPool.underlying());
      if (typeorm) pools.typeorm = typeorm;
      if (fastPath) pools['fast-path'] = fastPath;
    }
    return { databaseUp, redis, pools };
  }
}
