import { Injectable, OnModuleInit } from '@nestjs/common';
import type { ReadinessResponse } from '@tickets/protocol';
import { DataSource } from 'typeorm';
import { RedisClients } from '../common/redis-clients';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { MultiStatementPool } from '../database/multi-statement-pool';
import { InventoryFeed } from '../inventory/inventory-feed';
import { LocalInventory } from '../inventory/local-inventory';
import { Metrics, type DependencyFigures, type PoolFigures } from '../observability/metrics';
import { EventLoopMonitor } from './event-loop-monitor';
import { mysqlPoolFigures } from './pool-figures';

const MIB = 2 ** 20;

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
  ) {}

  onModuleInit(): void {
    this.metrics.readIndexes(() => {
      const status = this.inventory.status();
      return { loaded: status.loaded, building: status.building.length, memoryBytes: status.memoryBytes, budgetBytes: status.budgetBytes };
    });
    this.metrics.readDependencies(() => this.dependencies());
  }

  /**
   * Ready when the database answers: without it nothing can be reserved. Redis down leaves the
   * replica serving, degraded (`status: 'degraded'`, still 200): reservations commit in the
   * database, the other replicas learn of them from the outbox poll (FEED_POLL_MS), abuse limits
   * count in memory; taking every replica out of the balancer for it would stop the service
   * instead. Reports what the indexes and the event loop are doing.
   */
  async readiness(): Promise<ReadinessResponse> {
    const database = (await this.database.ping()) ? 'up' : 'down';
    const redis = this.config.redisUrl === null ? 'disabled' : (await this.feed.isHealthy()) ? 'up' : 'down';
    const indexes = this.inventory.status();
    return {
      status: database === 'down' ? 'unavailable' : redis === 'down' ? 'degraded' : 'ok',
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

  private async dependencies(): Promise<DependencyFigures> {
    const [databaseUp, feedUp] = await Promise.all([this.database.ping(), this.config.redisUrl === null ? null : this.feed.isHealthy()]);
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
