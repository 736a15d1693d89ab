import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ClearanceIndexes } from './clearance-indexes.service';
import { InventoryBroadcaster } from './inventory-broadcaster';
import { InventoryFeed } from './inventory-feed';
import { InventoryOutbox } from './inventory-outbox';
import { LocalInventoryFeed } from './local-inventory-feed';
import { RedisInventoryFeed } from './redis-inventory-feed';

@Global()
@Module({
  providers: [
    InventoryOutbox,
    InventoryBroadcaster,
    ClearanceIndexes,
    {
      provide: InventoryFeed,
      inject: [AppConfig],
      useFactory: (config: AppConfig): InventoryFeed =>
        config.redisUrl === null ? new LocalInventoryFeed() : new RedisInventoryFeed(config.redisUrl, config.redisPrefix),
    },
  ],
  exports: [InventoryOutbox, InventoryBroadcaster, ClearanceIndexes, InventoryFeed],
})
export class InventoryModule {}
