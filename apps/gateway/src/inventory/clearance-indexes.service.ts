import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClearanceIndex } from '@tickets/clearance';
import type { EventSnapshot, InventoryCause } from '@tickets/protocol';
import { notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { KeyedMutex } from '../common/keyed-mutex';
import { Timers, type ScheduledTask } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { ADDING_CAUSES, CommittedChange, toInventoryChanged } from './committed-change';
import { InventoryBroadcaster } from './inventory-broadcaster';
import { InventoryFeed } from './inventory-feed';
import { InventoryOutbox } from './inventory-outbox';

/** How long a change that arrived early waits for the versions before it before they are read from the outbox. */
const GAP_WAIT_MS = 50;

/** An event's in-memory inventory at one version. */
export interface EventInventory {
  readonly eventId: number;
  version: number;
  totalTickets: number;
  availableTickets: number;
  index: ClearanceIndex;
}

export function toEventSnapshot(inventory: EventInventory): EventSnapshot {
  return {
    eventId: inventory.eventId,
    version: inventory.version,
    levelCount: inventory.index.size,
    totalTickets: inventory.totalTickets,
    availableTickets: inventory.availableTickets,
  };
}

/**
 * This replica's ClearanceIndex per event: derived state, built lazily from the database and kept
 * current by one ordered consumer per event. A change with version == last + 1 is applied; a
 * duplicate (<= last) is dropped; a gap is filled from the outbox first (or the event is rebuilt),
 * so each version is applied and broadcast to local sockets exactly once, in order.
 */
@Injectable()
export class ClearanceIndexes implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ClearanceIndexes');
  private readonly inventories = new Map<number, EventInventory>();
  private readonly queue = new KeyedMutex<number>();
  /** Per event: changes that arrived before the versions preceding them, by version. */
  private readonly early = new Map<number, Map<number, { change: CommittedChange; done: (() => void)[] }>>();
  private readonly gapTimers = new Map<number, ScheduledTask>();
  /** Per event: callers waiting for the index to pass a version. */
  private readonly versionWaiters = new Map<number, { above: number; wake: (passed: boolean) => void }[]>();
  private poller: ScheduledTask | null = null;

  constructor(
    private readonly outbox: InventoryOutbox,
    private readonly feed: InventoryFeed,
    private readonly broadcaster: InventoryBroadcaster,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly timers: Timers,
  ) {
    feed.onChange((change) => this.consume(change));
    feed.onResync(() => void this.catchUpAll());
  }

  onApplicationBootstrap(): void {
    // Safety net for lost feed messages (a replica that died between commit and publish).
    this.poller = this.timers.every(this.config.feedPollMs, () => void this.catchUpAll());
  }

  onApplicationShutdown(): void {
    this.poller?.cancel();
    for (const timer of this.gapTimers.values()) timer.cancel();
  }

  /** The event's inventory, built from the database on first use; null when the event does not exist. */
  get(eventId: number): Promise<EventInventory | null> {
    const loaded = this.inventories.get(eventId);
    if (loaded) return Promise.resolve(loaded);
    return this.serial(eventId, async () => this.inventories.get(eventId) ?? (await this.build(eventId)));
  }

  /** Brings a loaded event up to the database's version (after a failed conditional update, say). */
  async catchUp(eventId: number): Promise<void> {
    await this.serial(eventId, async () => {
      const inventory = this.inventories.get(eventId);
      if (inventory) await this.fillFrom(inventory, Number.MAX_SAFE_INTEGER);
      await this.drainEarly(eventId);
    });
  }

  /**
   * Runs fn inside the event's ordered consumer, after the event is loaded: no change is applied
   * (or broadcast) while fn runs, so fn sees one version and nothing between.
   */
  whileCurrent<T>(eventId: number, fn: (inventory: EventInventory) => Promise<T>): Promise<T> {
    return this.serial(eventId, async () => {
      const inventory = this.inventories.get(eventId) ?? (await this.build(eventId));
      if (!inventory) throw notFound('Event');
      return fn(inventory);
    });
  }

  /**
   * Resolves true once the event's index is past `above` (a change arrived through the feed), or
   * false after `timeoutMs`. Cheaper than reading the outbox when the change is on its way anyway.
   */
  waitForVersion(eventId: number, above: number, timeoutMs: number): Promise<boolean> {
    const inventory = this.inventories.get(eventId);
    if (!inventory || inventory.version > above) return Promise.resolve(inventory !== undefined);
    return new Promise<boolean>((resolve) => {
      const waiters = this.versionWaiters.get(eventId) ?? [];
      this.versionWaiters.set(eventId, waiters);
      const timer = this.timers.after(timeoutMs, () => waiter.wake(false));
      const waiter = {
        above,
        wake: (passed: boolean): void => {
          timer.cancel();
          const list = this.versionWaiters.get(eventId);
          const at = list?.indexOf(waiter) ?? -1;
          if (list && at >= 0) list.splice(at, 1);
          if (list?.length === 0) this.versionWaiters.delete(eventId);
          resolve(passed);
        },
      };
      waiters.push(waiter);
    });
  }

  private wakeWaiters(eventId: number, version: number): void {
    for (const waiter of [...(this.versionWaiters.get(eventId) ?? [])]) if (version > waiter.above) waiter.wake(true);
  }

  /** Drops and rebuilds the event from the database. */
  rebuild(eventId: number): Promise<EventInventory | null> {
    return this.serial(eventId, () => this.build(eventId));
  }

  /** Feed entry point: every change of every replica arrives here, possibly duplicated or out of order. */
  /** Resolves once the change is applied (or known to be a duplicate). */
  consume(change: CommittedChange): Promise<void> {
    return new Promise<void>((done) => {
      this.serial(change.eventId, () => this.applyInOrder(change, done)).catch((error: unknown) => {
        this.logger.error(`applying ${change.eventId}@${change.version} failed: ${String(error)}`);
        done();
      });
    });
  }

  loadedEventIds(): number[] {
    return [...this.inventories.keys()];
  }

  private async catchUpAll(): Promise<void> {
    try {
      const ids = this.loadedEventIds();
      const versions = await this.outbox.versions(ids);
      for (const id of ids) {
        const dbVersion = versions.get(id);
        const inventory = this.inventories.get(id);
        if (dbVersion === undefined) {
          await this.serial(id, async () => this.forget(id));
        } else if (inventory && dbVersion > inventory.version) {
          await this.catchUp(id);
        }
      }
    } catch (error) {
      this.logger.warn(`outbox poll failed: ${String(error)}`);
    }
  }

  private async applyInOrder(change: CommittedChange, done: () => void): Promise<void> {
    const inventory = this.inventories.get(change.eventId);
    if (change.cause === 'event-deleted') {
      if (inventory) this.forget(change.eventId, change);
      done();
      return;
    }
    // Not loaded: nothing to update; the first reader builds it from the database, which has the change.
    if (!inventory || change.version <= inventory.version) {
      done();
      return;
    }
    if (change.version > inventory.version + 1) {
      // The versions before it are most likely still on their way through the feed: hold this one
      // briefly instead of reading the outbox at once; the gap timer reads it if they do not come.
      const held = this.early.get(change.eventId) ?? new Map<number, { change: CommittedChange; done: (() => void)[] }>();
      this.early.set(change.eventId, held);
      const entry = held.get(change.version);
      if (entry) entry.done.push(done);
      else held.set(change.version, { change, done: [done] });
      this.armGapTimer(change.eventId);
      return;
    }
    await this.applyOne(inventory, change);
    done();
    await this.drainEarly(change.eventId);
  }

  private async applyOne(inventory: EventInventory, change: CommittedChange): Promise<void> {
    if (ADDING_CAUSES.has(change.cause) && change.values === null) {
      await this.fillFrom(inventory, change.version);
    } else if (!this.apply(inventory, change)) {
      await this.build(change.eventId, change.cause);
    }
  }

  /** Applies held changes that are next in line; settles those that fell behind. */
  private async drainEarly(eventId: number): Promise<void> {
    const held = this.early.get(eventId);
    if (!held) return;
    for (;;) {
      const inventory = this.inventories.get(eventId);
      for (const [version, entry] of held) {
        if (!inventory || version <= inventory.version) {
          held.delete(version);
          entry.done.forEach((settle) => settle());
        }
      }
      const next = inventory && held.get(inventory.version + 1);
      if (!inventory || !next) break;
      held.delete(next.change.version);
      await this.applyOne(inventory, next.change);
      next.done.forEach((settle) => settle());
    }
    if (held.size === 0) {
      this.early.delete(eventId);
      this.gapTimers.get(eventId)?.cancel();
      this.gapTimers.delete(eventId);
    }
  }

  private armGapTimer(eventId: number): void {
    if (this.gapTimers.has(eventId)) return;
    const timer = this.timers.after(GAP_WAIT_MS, () => {
      this.gapTimers.delete(eventId);
      this.serial(eventId, async () => {
        const held = this.early.get(eventId);
        const inventory = this.inventories.get(eventId);
        if (held && held.size > 0 && inventory) await this.fillFrom(inventory, Math.max(...held.keys()));
        await this.drainEarly(eventId);
        if (this.early.get(eventId)?.size) this.armGapTimer(eventId);
      }).catch((error: unknown) => this.logger.warn(`filling a gap of event ${eventId} failed: ${String(error)}`));
    });
    this.gapTimers.set(eventId, timer);
  }

  /** Applies outbox rows after the inventory's version up to `until`; rebuilds when rows are missing. */
  private async fillFrom(inventory: EventInventory, until: number): Promise<void> {
    while (inventory.version < until) {
      const rows = await this.outbox.readAfter(inventory.eventId, inventory.version);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (row.version > until) return;
        if (row.version !== inventory.version + 1 || !this.apply(inventory, row)) {
          await this.build(inventory.eventId, row.cause);
          return;
        }
      }
    }
  }

  /** Applies one change and broadcasts it; false when the index disagrees and must be rebuilt. */
  private apply(inventory: EventInventory, change: CommittedChange): boolean {
    try {
      if (ADDING_CAUSES.has(change.cause)) {
        const values = change.values ?? [];
        change.ticketIds.forEach((id, i) => inventory.index.add({ id, value: values[i] }));
      } else {
        for (const id of change.ticketIds) inventory.index.remove(id);
      }
    } catch (error) {
      // The index disagrees with the change: it cannot be trusted; the caller rebuilds it from the database.
      this.logger.warn(`index of event ${inventory.eventId} inconsistent at ${change.version}: ${String(error)}`);
      return false;
    }
    inventory.version = change.version;
    inventory.totalTickets = change.totalTickets;
    inventory.availableTickets = change.availableTickets;
    this.broadcaster.changed(toInventoryChanged(change, inventory.index.size));
    this.wakeWaiters(inventory.eventId, inventory.version);
    return true;
  }

  /** Loads the event from the database; `resyncCause` labels the catch-up message when versions were skipped. */
  private async build(eventId: number, resyncCause: InventoryCause = 'ticket-created'): Promise<EventInventory | null> {
    const snapshot = await this.outbox.snapshot(eventId);
    if (!snapshot) {
      this.inventories.delete(eventId);
      return null;
    }
    const previous = this.inventories.get(eventId);
    const inventory: EventInventory = {
      eventId,
      version: snapshot.version,
      totalTickets: snapshot.totalTickets,
      availableTickets: snapshot.availableTickets,
      index: ClearanceIndex.build(snapshot.tickets),
    };
    if (previous && previous.version < snapshot.version) {
      // Versions were skipped and their outbox rows are gone (not expected: rows are only deleted with
      // their event); tell local sockets the current state once so they resynchronise.
      this.broadcaster.changed({
        eventId,
        version: inventory.version,
        cause: resyncCause,
        ticketIds: [],
        levelCount: inventory.index.size,
        totalTickets: inventory.totalTickets,
        availableTickets: inventory.availableTickets,
        committedAt: this.clock.nowMs(),
      });
    }
    this.inventories.set(eventId, inventory);
    this.wakeWaiters(eventId, inventory.version);
    return inventory;
  }

  private forget(eventId: number, deletion?: CommittedChange): void {
    const inventory = this.inventories.get(eventId);
    this.inventories.delete(eventId);
    if (inventory) {
      this.broadcaster.changed(
        toInventoryChanged(
          deletion ?? {
            eventId,
            version: inventory.version + 1,
            cause: 'event-deleted',
            ticketIds: [],
            values: null,
            totalTickets: 0,
            availableTickets: 0,
            committedAt: this.clock.nowMs(),
          },
          0,
        ),
      );
    }
  }

  /** Runs fn after every earlier task of the same event: the per-event ordered consumer. */
  private serial<T>(eventId: number, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(eventId, fn);
  }
}
