import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { CommittedChange } from './committed-change';
import { InventoryFeed } from './inventory-feed';

/** Whether this replica committed the change (`local`) or another one did (`remote`). */
export type ChangeOrigin = 'local' | 'remote';

export type ChangeListener = (change: CommittedChange, origin: ChangeOrigin) => Promise<void> | void;

/**
 * Every committed inventory change this replica learns of, local or remote, handed to its
 * listeners (the ordered consumer of LocalInventory first, then caches such as ticket labels and
 * the lobby). A feature that commits a change calls `committed`: two steps, publishing it to the
 * other replicas (InventoryFeed) and applying it here.
 */
@Injectable()
export class InventoryChanges implements OnModuleInit {
  private readonly logger = new Logger('InventoryChanges');
  private readonly listeners: ChangeListener[] = [];

  constructor(private readonly feed: InventoryFeed) {}

  onModuleInit(): void {
    this.feed.onChange((change) => {
      this.deliver(change, 'remote').catch((error: unknown) =>
        this.logger.error(`a listener failed on ${change.eventId}@${change.version}: ${String(error)}`),
      );
    });
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Called when remote changes may have been missed (the feed reconnected). */
  onResync(listener: () => void): void {
    this.feed.onResync(listener);
  }

  /**
   * A change this replica committed. It is published first, because other replicas' consumers may
   * hold later versions until this one arrives, and must not wait for this replica's own apply
   * (which may queue behind a build). Resolves once applied here: the caller's next read on this
   * replica sees it, and the tickets a reservation held in the index are gone from it.
   */
  async committed(change: CommittedChange): Promise<void> {
    const published = this.feed.publish(change);
    await this.deliver(change, 'local');
    await published;
  }

  private async deliver(change: CommittedChange, origin: ChangeOrigin): Promise<void> {
    await Promise.all(this.listeners.map(async (listener) => listener(change, origin)));
  }
}
