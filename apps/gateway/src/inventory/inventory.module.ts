import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ClearanceIndexes } from './clearance-indexes.service';
import { AppliedChanges } from './applied-changes';
import { InventoryFeed } from './inventory-feed';
import { InventoryOutbox } from './inventory-outbox';
import { IndexHost } from './index-host/index-host';
import { WorkerIndexHost } from './index-host/worker-index-host';
import { LevelCountRecorder } from './level-count-recorder';
import { LocalInventoryFeed } from './local-inventory-feed';
import { RedisInventoryFeed } from './redis-inventory-feed';

@Global()
@Module({
  providers: [
    InventoryOutbox,
    AppliedChanges,
    ClearanceIndexes,
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
        config.redisUrl === null ? new LocalInventoryFeed() : new RedisInventoryFeed(config.redisUrl, config.redisPrefix),
    },
  ],
  exports: [InventoryOutbox, AppliedChanges, ClearanceIndexes, InventoryFeed],
})
export class InventoryModule {}
