import { Injectable } from '@nestjs/common';
import { InventoryFeed } from './inventory-feed';

/** Single process (no REDIS_URL): no other replica to tell. */
@Injectable()
export class LocalInventoryFeed extends InventoryFeed {
  async publish(): Promise<void> {}

  async isHealthy(): Promise<boolean> {
    return true;
  }
}
