import type { LevelPage, PageQuery } from '@tickets/clearance';

/**
 * What the main thread asks of an index host (a worker thread holding events' ClearanceIndexes)
 * and what it answers. Ticket ids and values travel as typed arrays in the transfer list, so a
 * snapshot of 100,000 tickets moves between threads without being copied.
 */
export type IndexCommand =
  /** Builds the event's index from its available tickets (replacing any it held). */
  | { kind: 'load'; eventId: number; version: number; ids: Float64Array; values: Float64Array }
  /** Applies one committed change: removals, then additions. */
  | {
      kind: 'apply';
      eventId: number;
      version: number;
      removed: Float64Array;
      addedIds: Float64Array;
      addedValues: Float64Array;
    }
  | { kind: 'page'; eventId: number; query: PageQuery }
  | { kind: 'combo'; eventId: number; level: number }
  | { kind: 'drop'; eventId: number };

/** The state of an event's index after a load or an apply. */
export interface IndexState {
  version: number;
  levelCount: number;
  memoryBytes: number;
}

export interface PageAnswer {
  version: number;
  page: LevelPage;
}

export interface ComboAnswer {
  version: number;
  /** The level's combination (ticket ids, ascending), or null when the level is not reachable. */
  ticketIds: Float64Array | null;
}

export interface IndexAnswers {
  load: IndexState;
  apply: IndexState;
  page: PageAnswer;
  combo: ComboAnswer;
  drop: null;
}

/**
 * Why a command failed. `not-loaded`: the host holds no index of the event (evicted, or its worker
 * was replaced); `inconsistent`: the change does not fit the index (it was dropped and must be
 * rebuilt from the database); `invalid`: the arguments were refused (a bad query).
 */
export type IndexFailureKind = 'not-loaded' | 'inconsistent' | 'invalid';

export type IndexReply<K extends IndexCommand['kind'] = IndexCommand['kind']> =
  { ok: true; value: IndexAnswers[K] } | { ok: false; kind: IndexFailureKind; message: string };

/** Raised on the main thread when a command fails; `kind` says what the caller should do. */
export class IndexFailure extends Error {
  constructor(
    readonly kind: IndexFailureKind | 'host-lost',
    message: string,
  ) {
    super(message);
    this.name = 'IndexFailure';
  }
}
