import { Injectable } from '@nestjs/common';
import { CommittedChange } from './committed-change';
import { InventoryFeed } from './inventory-feed';

/** Single-process feed: a committed change goes straight to this replica's consumer. */
@Injectable()
export class LocalInventoryFeed extends InventoryFeed {
  async publish(change: CommittedChange): Promise<void> {
    await this.deliver(change, 'local');
  }

  async isHealthy(): Promise<boolean> {
    return true;
  }
}
