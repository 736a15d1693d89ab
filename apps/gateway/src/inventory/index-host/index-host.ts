import type { PageQuery } from '@tickets/clearance';
import type { ComboAnswer, IndexState, PageAnswer } from './index-messages';

/** An event's available tickets at one version, columns ready to hand to a host. */
export interface TicketColumns {
  version: number;
  ids: Float64Array;
  values: Float64Array;
}

/** One committed change as the index sees it: tickets removed, then tickets added (ids and values as columns). */
export interface IndexChange {
  version: number;
  removed: readonly number[];
  addedIds: readonly number[];
  addedValues: readonly number[];
}

/**
 * Where events' ClearanceIndexes live and compute: off the event loop (WorkerIndexHost) in the
 * gateway. Commands for one event are answered in the order they were sent. Failures reject with
 * an IndexFailure. `onLost` reports events whose index vanished with no command asking for it
 * (a worker that died): their caller rebuilds them.
 */
export abstract class IndexHost {
  abstract load(eventId: number, tickets: TicketColumns): Promise<IndexState>;
  /** Applies consecutive changes in one go; the state after each, in order. */
  abstract apply(eventId: number, changes: readonly IndexChange[]): Promise<IndexState[]>;
  abstract page(eventId: number, query: PageQuery): Promise<PageAnswer>;
  /** The level's combination (to show). */
  abstract combo(eventId: number, level: number): Promise<ComboAnswer>;
  /**
   * A combination of the level to reserve: it uses no ticket held for another reservation of
   * this host, nor any of `avoid`, and its tickets are held until a change removes them (the
   * reservation committed) or `release` gives them back (it did not). Null when there is none.
   * `spread` varies which free tickets replace held ones (see ClearanceIndex.comboAvoiding), so
   * replicas, which cannot see each other's holds, mostly pick different ones.
   */
  abstract hold(
    eventId: number,
    level: number,
    avoid: readonly number[],
    spread: number,
  ): Promise<ComboAnswer>;
  abstract release(eventId: number, ticketIds: readonly number[]): Promise<void>;
  abstract drop(eventId: number): Promise<void>;
  abstract onLost(listener: (eventIds: number[]) => void): void;
}
