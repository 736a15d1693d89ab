import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { PageQuery } from '@tickets/clearance';
import type { EventSnapshot, InventoryCause } from '@tickets/protocol';
import { notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { KeyedMutex } from '../common/keyed-mutex';
import { Timers, type ScheduledTask } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { ADDING_CAUSES, CommittedChange, toInventoryChanged } from './committed-change';
import { IndexHost, type IndexChange } from './index-host/index-host';
import { IndexFailure, type IndexState, type PageAnswer } from './index-host/index-messages';
import { AppliedChanges } from './applied-changes';
import { InventoryChanges, type ChangeOrigin } from './inventory-changes';
import { InventoryOutbox } from './inventory-outbox';
import { LevelCountRecorder } from './level-count-recorder';
import { Metrics } from '../observability/metrics';

/** How long catchUpPast waits for a change to arrive through the feed before reading the outbox. */
const FEED_WAIT_MS = 30;
/** How long a change that arrived early waits for the versions before it before they are read from the outbox. */
const GAP_WAIT_MS = 50;
/** At most one over-budget warning per this many milliseconds. */
const BUDGET_WARNING_MS = 60_000;

/** An event's inventory as this replica knows it: its counters at one version (the index itself lives in the IndexHost). */
export interface EventInventory {
  readonly eventId: number;
  version: number;
  totalTickets: number;
  availableTickets: number;
  levelCount: number;
}

export function toEventSnapshot(inventory: EventInventory): EventSnapshot {
  return {
    eventId: inventory.eventId,
    version: inventory.version,
    levelCount: inventory.levelCount,
    totalTickets: inventory.totalTickets,
    availableTickets: inventory.availableTickets,
  };
}

/** A level's combination at the version of the index that answered. */
export interface ComboAt {
  version: number;
  ticketIds: number[] | null;
}

/** What readiness reports about the indexes. */
export interface IndexesStatus {
  loaded: number;
  /** Events whose index is being built right now. */
  building: number[];
  memoryBytes: number;
  budgetBytes: number;
}

/**
 * What LocalInventory uses of its injected collaborators, by name: the unit test's fakes
 * implement exactly these (Nest still injects the classes, named by @Inject).
 */
export type InventoryOutboxPort = Pick<
  InventoryOutbox,
  'readTickets' | 'readAfter' | 'staleLevelCounts' | 'versions'
>;
export type LevelCountRecorderPort = Pick<LevelCountRecorder, 'record'>;

/**
 * This replica's events: their counters here, their LocalInventory in the IndexHost (worker
 * threads, so no index computation runs on the event loop). Built lazily from the database, kept
 * current by one ordered consumer per event: a change with version == last + 1 is applied; a
 * duplicate (<= last) is dropped; a gap is filled from the outbox first (or the event is rebuilt),
 * so each version is applied and broadcast to local sockets exactly once, in order. Reads (pages,
 * combinations) go straight to the host and are not queued behind the consumer: while an event is
 * rebuilt, the previous index answers them.
 *
 * Index memory is bounded by INDEX_MEMORY_MB: past it, the least recently used events without
 * local viewers are dropped, to be rebuilt on their next read.
 */
@Injectable()
export class LocalInventory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LocalInventory');
  private readonly inventories = new Map<number, EventInventory>();
  /** Per loaded event: index bytes as last reported, and when it was last read. */
  private readonly usage = new Map<number, { memoryBytes: number; usedAt: number }>();
  private readonly building = new Set<number>();
  private readonly queue = new KeyedMutex<number>();
  /** Per event: changes that arrived and are not applied yet, by version (a version may arrive twice). */
  private readonly arrived = new Map<number, Map<number, Arrival>>();
  /** Events with a drain of their arrivals queued in the ordered consumer. */
  private readonly drainQueued = new Set<number>();
  private readonly gapTimers = new Map<number, ScheduledTask>();
  /** Per event: callers waiting for the index to pass a version. */
  private readonly versionWaiters = new Map<number, { above: number; wake: (passed: boolean) => void }[]>();
  private poller: ScheduledTask | null = null;
  private lastBudgetWarningAt = -Infinity;

  constructor(
    @Inject(InventoryOutbox) private readonly outbox: InventoryOutboxPort,
    private readonly changes: InventoryChanges,
    private readonly appliedChanges: AppliedChanges,
    private readonly host: IndexHost,
    @Inject(LevelCountRecorder) private readonly levelCounts: LevelCountRecorderPort,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.changes.onChange((change, origin) => this.consume(change, origin));
    this.changes.onResync(() => void this.catchUpAll());
    // A worker that died took these indexes with it: rebuild the ones people are looking at.
    this.host.onLost((eventIds) => {
      for (const eventId of eventIds) void this.rebuildLost(eventId);
    });
    // Safety net for lost feed messages (a replica that died between commit and publish).
    this.poller = this.timers.every(this.config.feedPollMs, () => void this.catchUpAll());
    void this.countStaleLevels();
  }

  onApplicationShutdown(): void {
    this.poller?.cancel();
    for (const timer of this.gapTimers.values()) timer.cancel();
  }

  /** The event's inventory, built from the database on first use; null when the event does not exist. */
  get(eventId: number): Promise<EventInventory | null> {
    const loaded = this.inventories.get(eventId);
    if (loaded) {
      this.touch(eventId);
      return Promise.resolve(loaded);
    }
    return this.serial(eventId, async () => this.inventories.get(eventId) ?? (await this.build(eventId)));
  }

  /** The event's inventory if this replica has it loaded (nothing is built). */
  loaded(eventId: number): EventInventory | null {
    return this.inventories.get(eventId) ?? null;
  }

  /** A page of the event's levels, from the newest index this replica has. */
  page(eventId: number, query: PageQuery): Promise<PageAnswer> {
    return this.read(eventId, () => this.host.page(eventId, query));
  }

  /** The level's combination, from the newest index this replica has. */
  async combo(eventId: number, level: number): Promise<ComboAt> {
    const answer = await this.read(eventId, () => this.host.combo(eventId, level));
    return { version: answer.version, ticketIds: answer.ticketIds && Array.from(answer.ticketIds) };
  }

  /**
   * A combination of the level to reserve, held for the caller (see IndexHost.hold): it shares no
   * ticket with another reservation in flight on this replica, nor with `avoid`. Null when none.
   */
  async hold(eventId: number, level: number, avoid: readonly number[], spread: number): Promise<ComboAt> {
    const answer = await this.read(eventId, () => this.host.hold(eventId, level, avoid, spread));
    return { version: answer.version, ticketIds: answer.ticketIds && Array.from(answer.ticketIds) };
  }

  /** Gives back held tickets whose reservation did not commit. */
  release(eventId: number, ticketIds: readonly number[]): Promise<void> {
    return this.host.release(eventId, ticketIds);
  }

  /** Brings a loaded event up to the database's version (after a failed conditional update, say). */
  async catchUp(eventId: number): Promise<void> {
    await this.serial(eventId, async () => {
      const inventory = this.inventories.get(eventId);
      if (inventory) await this.fillFrom(inventory, Number.MAX_SAFE_INTEGER);
      await this.drainArrivals(eventId);
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
      this.touch(eventId);
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

  /**
   * Brings the event past `seenVersion`, after a caller learnt that the database is ahead (a
   * conditional update failed): the change that did it is committed and normally already on its
   * way through the feed, so wait briefly for it; otherwise apply what the outbox has; if even that
   * brought nothing new, rebuild.
   */
  async catchUpPast(eventId: number, seenVersion: number): Promise<void> {
    if (await this.waitForVersion(eventId, seenVersion, FEED_WAIT_MS)) return;
    await this.catchUp(eventId);
    const inventory = await this.get(eventId);
    if (inventory && inventory.version <= seenVersion) {
      this.metrics.feedGap('rebuild');
      await this.rebuild(eventId);
    }
  }

  /** Rebuilds the event from the database (the old index answers reads meanwhile). */
  rebuild(eventId: number): Promise<EventInventory | null> {
    return this.serial(eventId, () => this.build(eventId));
  }

  /**
   * Feed entry point: every change of every replica arrives here, possibly duplicated or out of
   * order. Resolves once the change is applied (or known to be a duplicate). Changes that arrive
   * while the event's consumer is busy wait together and go to the index in one batch.
   */
  consume(change: CommittedChange, origin: ChangeOrigin = 'remote'): Promise<void> {
    return new Promise<void>((done) => {
      const { eventId } = change;
      const arrived = this.arrived.get(eventId) ?? new Map<number, Arrival>();
      this.arrived.set(eventId, arrived);
      const known = arrived.get(change.version);
      if (known) {
        known.done.push(done);
        if (origin === 'local') known.origin = 'local';
      } else {
        arrived.set(change.version, { change, origin, done: [done] });
      }
      if (this.drainQueued.has(eventId)) return;
      this.drainQueued.add(eventId);
      this.serial(eventId, () => {
        this.drainQueued.delete(eventId);
        return this.drainArrivals(eventId);
      }).catch((error: unknown) => {
        this.logger.error(`applying changes of event ${eventId} failed: ${String(error)}`);
        this.settleArrivals(eventId, () => true);
      });
    });
  }

  loadedEventIds(): number[] {
    return [...this.inventories.keys()];
  }

  status(): IndexesStatus {
    let memoryBytes = 0;
    for (const { memoryBytes: bytes } of this.usage.values()) memoryBytes += bytes;
    return {
      loaded: this.inventories.size,
      building: [...this.building],
      memoryBytes,
      budgetBytes: this.config.indexMemoryBytes,
    };
  }

  /** Runs a read against the event's index, loading it first; once more after a reload if the host lost it meanwhile. */
  private async read<T>(eventId: number, ask: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (!(await this.get(eventId))) throw notFound('Event');
      try {
        return await ask();
      } catch (error) {
        const gone =
          error instanceof IndexFailure && (error.kind === 'not-loaded' || error.kind === 'host-lost');
        if (!gone || attempt >= 3) throw error;
        // Evicted or lost between our look and the host's answer: load it again.
        await this.serial(eventId, async () => {
          if (this.inventories.has(eventId)) await this.build(eventId);
        });
      }
    }
  }

  /**
   * Computes the level counts that the database lacks or holds for an older version (events made
   * before a start, or whose last change's replica stopped before recording it), one event at a
   * time, in the background. The indexes built stay loaded, within the memory budget.
   */
  private async countStaleLevels(): Promise<void> {
    try {
      for (const eventId of await this.outbox.staleLevelCounts(STALE_COUNTS_AT_START))
        await this.get(eventId);
    } catch (error) {
      this.logger.warn(`computing stale level counts failed: ${String(error)}`);
    }
  }

  private async catchUpAll(): Promise<void> {
    try {
      const ids = this.loadedEventIds();
      const versions = await this.outbox.versions(ids);
      let lag = 0;
      for (const id of ids) {
        const behind = (versions.get(id) ?? 0) - (this.inventories.get(id)?.version ?? Infinity);
        if (behind > lag) lag = behind;
      }
      this.metrics.feedLagged(lag);
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

  /**
   * Applies what arrived for the event in version order: each run of consecutive versions after
   * the index's goes to the index in one batch; duplicates are settled; an addition that arrived
   * without its values is read from the outbox; changes that arrived before their predecessors
   * wait for them (the gap timer reads the outbox if they do not come).
   */
  private async drainArrivals(eventId: number): Promise<void> {
    const arrived = this.arrived.get(eventId);
    if (!arrived || arrived.size === 0) return;
    const deletion = [...arrived.values()].find((arrival) => arrival.change.cause === 'event-deleted');
    if (deletion) {
      if (this.inventories.has(eventId)) await this.forget(eventId, deletion.change);
      this.settleArrivals(eventId, () => true);
      return;
    }
    if (!this.inventories.has(eventId)) {
      // Nobody here reads this event, so nothing to update; the database has the changes. But the
      // replica that committed one loads the event, so its level count gets computed and recorded.
      const local = [...arrived.values()].some((arrival) => arrival.origin === 'local');
      this.settleArrivals(eventId, () => true);
      if (local) void this.get(eventId).catch(() => undefined);
      return;
    }
    for (;;) {
      const inventory = this.inventories.get(eventId);
      if (!inventory) break;
      this.settleArrivals(eventId, (version) => version <= inventory.version);
      const run: CommittedChange[] = [];
      for (let version = inventory.version + 1; ; version++) {
        const next = arrived.get(version)?.change;
        if (!next || (ADDING_CAUSES.has(next.cause) && next.values === null)) break;
        run.push(next);
      }
      if (run.length > 0) {
        await this.applyRun(inventory, run);
        continue;
      }
      const next = arrived.get(inventory.version + 1);
      if (!next) break;
      // Too many tickets to carry their values: read them from the outbox.
      await this.fillFrom(inventory, next.change.version);
      if (inventory.version < next.change.version && this.inventories.get(eventId) === inventory) break;
    }
    if ((this.arrived.get(eventId)?.size ?? 0) > 0) {
      this.armGapTimer(eventId);
    } else {
      this.arrived.delete(eventId);
      this.gapTimers.get(eventId)?.cancel();
      this.gapTimers.delete(eventId);
    }
  }

  /** Settles (and forgets) the event's arrivals whose version matches. */
  private settleArrivals(eventId: number, covered: (version: number) => boolean): void {
    const arrived = this.arrived.get(eventId);
    if (!arrived) return;
    for (const [version, arrival] of arrived) {
      if (!covered(version)) continue;
      arrived.delete(version);
      for (const settle of arrival.done) settle();
    }
    if (arrived.size === 0) this.arrived.delete(eventId);
  }

  private armGapTimer(eventId: number): void {
    if (this.gapTimers.has(eventId)) return;
    const timer = this.timers.after(GAP_WAIT_MS, () => {
      this.gapTimers.delete(eventId);
      this.serial(eventId, async () => {
        const arrived = this.arrived.get(eventId);
        const inventory = this.inventories.get(eventId);
        if (arrived && arrived.size > 0 && inventory) {
          this.metrics.feedGap('outbox');
          await this.fillFrom(inventory, Math.max(...arrived.keys()));
        }
        await this.drainArrivals(eventId);
      }).catch((error: unknown) =>
        this.logger.warn(`filling a gap of event ${eventId} failed: ${String(error)}`),
      );
    });
    this.gapTimers.set(eventId, timer);
  }

  /** Applies outbox rows after the inventory's version up to `until`, in batches; rebuilds when rows are missing. */
  private async fillFrom(inventory: EventInventory, until: number): Promise<void> {
    while (inventory.version < until && this.inventories.get(inventory.eventId) === inventory) {
      const rows = (await this.outbox.readAfter(inventory.eventId, inventory.version)).filter(
        (row) => row.version <= until,
      );
      if (rows.length === 0) return;
      if (
        rows[0].version !== inventory.version + 1 ||
        rows.some((row, i) => i > 0 && row.version !== rows[i - 1].version + 1)
      ) {
        this.metrics.feedGap('rebuild');
        await this.build(inventory.eventId, rows[0].cause);
        return;
      }
      if (!(await this.applyRun(inventory, rows))) return;
    }
  }

  /**
   * Applies consecutive changes (the first one right after the inventory's version) to the index
   * in one batch, then broadcasts each with its level count. When the index disagrees or is gone,
   * rebuilds it from the database instead and answers false.
   */
  private async applyRun(inventory: EventInventory, changes: CommittedChange[]): Promise<boolean> {
    let states: IndexState[];
    try {
      states = await this.host.apply(inventory.eventId, changes.map(toIndexChange));
    } catch (error) {
      if (!(error instanceof IndexFailure)) throw error;
      const at = `${changes[0].version}..${changes[changes.length - 1].version}`;
      this.logger.warn(
        `index of event ${inventory.eventId} not updated at ${at} (${error.kind}): ${error.message}`,
      );
      await this.build(inventory.eventId, changes[changes.length - 1].cause);
      return false;
    }
    changes.forEach((change, i) => {
      const state = states[i];
      inventory.version = change.version;
      inventory.totalTickets = change.totalTickets;
      inventory.availableTickets = change.availableTickets;
      inventory.levelCount = state.levelCount;
      this.appliedChanges.applied(toInventoryChanged(change, state.levelCount));
    });
    const last = states[states.length - 1];
    this.noteState(inventory.eventId, last);
    this.levelCounts.record(inventory.eventId, last.version, last.levelCount);
    this.settleArrivals(inventory.eventId, (version) => version <= inventory.version);
    this.wakeWaiters(inventory.eventId, inventory.version);
    return true;
  }

  private wakeWaiters(eventId: number, version: number): void {
    for (const waiter of [...(this.versionWaiters.get(eventId) ?? [])])
      if (version > waiter.above) waiter.wake(true);
  }

  /**
   * Loads the event from the database into the host; `resyncCause` labels the catch-up message when
   * versions were skipped. A previous index keeps answering reads until the new one is in place.
   */
  private async build(
    eventId: number,
    resyncCause: InventoryCause = 'ticket-created',
  ): Promise<EventInventory | null> {
    this.building.add(eventId);
    const startedAt = this.clock.monotonicMs();
    try {
      const snapshot = await this.outbox.readTickets(eventId);
      if (!snapshot) {
        await this.forget(eventId);
        return null;
      }
      const ticketCount = snapshot.tickets.ids.length;
      if (ticketCount >= LOGGED_BUILD_TICKETS)
        this.logger.log(`building the index of event ${eventId} (${ticketCount} tickets)`);
      const state = await this.host.load(eventId, snapshot.tickets);
      const previous = this.inventories.get(eventId);
      const inventory: EventInventory = {
        eventId,
        version: snapshot.version,
        totalTickets: snapshot.totalTickets,
        availableTickets: snapshot.availableTickets,
        levelCount: state.levelCount,
      };
      if (previous && previous.version < snapshot.version) {
        // Versions were skipped and their outbox rows are gone (not expected: rows are only deleted with
        // their event); tell local sockets the current state once so they resynchronise.
        this.appliedChanges.applied({
          eventId,
          version: inventory.version,
          cause: resyncCause,
          ticketIds: [],
          ticketCount: 0,
          levelCount: inventory.levelCount,
          totalTickets: inventory.totalTickets,
          availableTickets: inventory.availableTickets,
          committedAt: this.clock.nowMs(),
        });
      }
      this.inventories.set(eventId, inventory);
      this.noteState(eventId, state);
      this.levelCounts.record(eventId, state.version, state.levelCount);
      this.settleArrivals(eventId, (version) => version <= inventory.version);
      this.wakeWaiters(eventId, inventory.version);
      this.metrics.indexBuilt(this.clock.monotonicMs() - startedAt);
      if (ticketCount >= LOGGED_BUILD_TICKETS) {
        this.logger.log(
          `built the index of event ${eventId} in ${Math.round(this.clock.monotonicMs() - startedAt)} ms`,
        );
      }
      return inventory;
    } finally {
      this.building.delete(eventId);
    }
  }

  /** After a worker died with the event's index: rebuild it if it is still wanted. */
  private async rebuildLost(eventId: number): Promise<void> {
    await this.serial(eventId, async () => {
      if (!this.inventories.has(eventId)) return;
      this.usage.delete(eventId);
      if (this.appliedChanges.watches(eventId)) await this.build(eventId);
      else this.inventories.delete(eventId);
    }).catch((error: unknown) => this.logger.warn(`rebuilding event ${eventId} failed: ${String(error)}`));
  }

  private async forget(eventId: number, deletion?: CommittedChange): Promise<void> {
    const inventory = this.inventories.get(eventId);
    this.inventories.delete(eventId);
    this.settleArrivals(eventId, () => true);
    this.usage.delete(eventId);
    await this.host.drop(eventId);
    if (inventory) {
      this.appliedChanges.applied(
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

  private touch(eventId: number): void {
    const usage = this.usage.get(eventId);
    if (usage) usage.usedAt = this.clock.monotonicMs();
  }

  private noteState(eventId: number, state: IndexState): void {
    this.usage.set(eventId, { memoryBytes: state.memoryBytes, usedAt: this.clock.monotonicMs() });
    this.enforceBudget(eventId);
  }

  /**
   * Drops the least recently used indexes without local viewers until the total fits the budget;
   * never `current`, the one just loaded or changed (someone is about to read it).
   */
  private enforceBudget(current: number): void {
    const budget = this.config.indexMemoryBytes;
    let total = 0;
    for (const { memoryBytes } of this.usage.values()) total += memoryBytes;
    if (total <= budget) return;
    const evictable = [...this.usage.entries()]
      .filter(
        ([eventId]) =>
          eventId !== current && !this.appliedChanges.watches(eventId) && !this.building.has(eventId),
      )
      .sort(([, a], [, b]) => a.usedAt - b.usedAt);
    for (const [eventId, { memoryBytes }] of evictable) {
      if (total <= budget) break;
      total -= memoryBytes;
      this.usage.delete(eventId);
      void this.serial(eventId, async () => {
        // Still unwatched and not rebuilt meanwhile: drop it.
        if (this.usage.has(eventId) || this.appliedChanges.watches(eventId)) return;
        this.inventories.delete(eventId);
        await this.host.drop(eventId);
      }).catch((error: unknown) =>
        this.logger.warn(`dropping the index of event ${eventId} failed: ${String(error)}`),
      );
    }
    const now = this.clock.monotonicMs();
    if (total > budget && now - this.lastBudgetWarningAt > BUDGET_WARNING_MS) {
      this.lastBudgetWarningAt = now;
      this.logger.warn(
        `indexes of watched events take ${Math.round(total / 2 ** 20)} MiB, over INDEX_MEMORY_MB=${Math.round(budget / 2 ** 20)}`,
      );
    }
  }

  /** Runs fn after every earlier task of the same event: the per-event ordered consumer. */
  private serial<T>(eventId: number, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(eventId, fn);
  }
}

/** How many events with a stale level count a start computes. */
const STALE_COUNTS_AT_START = 1000;

/** A change that arrived, and the callers waiting for it to be applied. */
interface Arrival {
  change: CommittedChange;
  origin: ChangeOrigin;
  done: (() => void)[];
}

/** Builds of at least this many tickets are logged (start and duration). */
const LOGGED_BUILD_TICKETS = 10_000;

function toIndexChange(change: CommittedChange): IndexChange {
  if (!ADDING_CAUSES.has(change.cause))
    return { version: change.version, removed: change.ticketIds, addedIds: [], addedValues: [] };
  return {
    version: change.version,
    removed: [],
    addedIds: change.ticketIds,
    addedValues: change.values ?? [],
  };
}
