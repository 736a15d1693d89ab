import type { CommittedChange } from './committed-change';

/**
 * Carries committed inventory changes between replicas. Delivery may duplicate, reorder or lose
 * messages; consumers restore order and fill gaps from the outbox. InventoryChanges is its only
 * user.
 */
export abstract class InventoryFeed {
  protected readonly listeners: ((change: CommittedChange) => void)[] = [];
  protected readonly resyncListeners: (() => void)[] = [];

  /** Sends a change this replica committed to the other replicas; never throws (the outbox poll is the fallback). */
  abstract publish(change: CommittedChange): Promise<void>;

  /** Is the feed's transport reachable (always true in-process). */
  abstract isHealthy(): Promise<boolean>;

  /** Changes from the feed (another replica's, or this one's own echo). */
  onChange(listener: (change: CommittedChange) => void): void {
    this.listeners.push(listener);
  }

  /** Called when messages may have been missed (e.g. after a reconnect). */
  onResync(listener: () => void): void {
    this.resyncListeners.push(listener);
  }

  protected received(change: CommittedChange): void {
    for (const listener of this.listeners) listener(change);
  }

  protected resync(): void {
    for (const listener of this.resyncListeners) listener();
  }
}
