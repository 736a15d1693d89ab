import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { LocalInventory } from './local-inventory';
import { AppliedChanges } from './applied-changes';
import { InventoryFeed } from './inventory-feed';
import { InventoryChanges } from './inventory-changes';
import { InventoryOutbox } from './inventory-outbox';
import { IndexHost } from './index-host/index-host';
import { WorkerIndexHost } from './index-host/worker-index-host';
import { InventoryChangeEntity } from './inventory-change.entity';
import { LevelCountRecorder } from './level-count-recorder';
import { LevelCountEntity } from './level-count.entity';
import { LocalInventoryFeed } from './local-inventory-feed';
import { RedisInventoryFeed } from './redis-inventory-feed';

/**
 * Every event's inventory on this replica: versions and the outbox (the database side), the feed
 * between replicas, the ordered consumer and clearance indexes (in worker threads), level counts.
 * Knows no feature that changes it: they commit through InventoryOutbox and InventoryChanges, and
 * whoever shows changes connects to AppliedChanges.
 */
@Module({
  imports: [TypeOrmModule.forFeature([InventoryChangeEntity, LevelCountEntity])],
  providers: [
    InventoryOutbox,
    AppliedChanges,
    InventoryChanges,
    LocalInventory,
    LevelCountRecorder,
    {
      provide: IndexHost,
      inject: [AppConfig],
      useFactory: (config: AppConfig): IndexHost => new WorkerIndexHost(config.indexWorkers),
    },
    {
      provide: InventoryFeed,
      inject: [AppConfig],
      useFactory: (config: AppConfig): InventoryFeed =>
        config.redisUrl === null
          ? new LocalInventoryFeed()
          : RedisInventoryFeed.connectingTo(config.redisUrl, config.redisPrefix),
    },
  ],
  exports: [InventoryOutbox, AppliedChanges, LocalInventory, InventoryChanges, InventoryFeed],
})
export class InventoryModule {}
