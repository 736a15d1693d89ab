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
  abstract apply(eventId: number, change: IndexChange): Promise<IndexState>;
  abstract page(eventId: number, query: PageQuery): Promise<PageAnswer>;
  abstract combo(eventId: number, level: number): Promise<ComboAnswer>;
  abstract drop(eventId: number): Promise<void>;
  abstract onLost(listener: (eventIds: number[]) => void): void;
}
