import { Injectable } from '@nestjs/common';
import type { ReadinessResponse } from '@tickets/protocol';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { InventoryFeed } from '../inventory/inventory-feed';

@Injectable()
export class HealthService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly feed: InventoryFeed,
    private readonly config: AppConfig,
  ) {}

  /** Ready when the database answers, and Redis too when configured. */
  async readiness(): Promise<ReadinessResponse> {
    const database = (await this.unitOfWork.ping()) ? 'up' : 'down';
    const redis = this.config.redisUrl === null ? 'disabled' : (await this.feed.isHealthy()) ? 'up' : 'down';
    return { status: database === 'up' && redis !== 'down' ? 'ok' : 'unavailable', database, redis };
  }
}
