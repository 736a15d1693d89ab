import { Injectable } from '@nestjs/common';
import type { ReadinessResponse } from '@tickets/protocol';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { LocalInventory } from '../inventory/local-inventory';
import { DrainState } from '../lifecycle/drain-state';
import { InventoryFeed } from '../inventory/inventory-feed';
import { EventLoopMonitor } from './event-loop-monitor';

const MIB = 2 ** 20;

@Injectable()
export class HealthService {
  constructor(
    private readonly database: Database,
    private readonly feed: InventoryFeed,
    private readonly inventory: LocalInventory,
    private readonly eventLoop: EventLoopMonitor,
    private readonly config: AppConfig,
    private readonly drain: DrainState,
  ) {}

  /**
   * Ready when the database answers, and Redis too when configured, unless the replica is draining
   * (it got SIGTERM: unavailable at once); with what the indexes and the event loop are doing.
   */
  async readiness(): Promise<ReadinessResponse> {
    const database = (await this.database.ping()) ? 'up' : 'down';
    const redis = this.config.redisUrl === null ? 'disabled' : (await this.feed.isHealthy()) ? 'up' : 'down';
    const indexes = this.inventory.status();
    return {
      status: !this.drain.draining && database === 'up' && redis !== 'down' ? 'ok' : 'unavailable',
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
}
