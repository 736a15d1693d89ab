import type { CommittedChange } from './committed-change';

/** Whether this replica committed the change (`local`) or another one did (`remote`). */
export type ChangeOrigin = 'local' | 'remote';

export type ChangeListener = (change: CommittedChange, origin: ChangeOrigin) => Promise<void> | void;

/**
 * Carries committed inventory changes to every replica (including the committing one). Delivery
 * may duplicate, reorder or lose messages; consumers restore order and fill gaps from the outbox.
 */
export abstract class InventoryFeed {
  protected readonly listeners: ChangeListener[] = [];
  protected readonly resyncListeners: (() => void)[] = [];

  /** Hands a committed change to every replica. Resolves once the local replica has it. */
  abstract publish(change: CommittedChange): Promise<void>;

  /** Is the feed's transport reachable (always true in-process). */
  abstract isHealthy(): Promise<boolean>;

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Called when messages may have been missed (e.g. after a reconnect). */
  onResync(listener: () => void): void {
    this.resyncListeners.push(listener);
  }

  /** Resolves once every local listener has handled the change. */
  protected async deliver(change: CommittedChange, origin: ChangeOrigin): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener(change, origin)));
  }

  protected resync(): void {
    for (const listener of this.resyncListeners) listener();
  }
}
