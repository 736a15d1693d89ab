/** The IPC messages between bench:stampede's orchestrator and its load-generator processes. */

export interface StampedePlan {
  urls: string[];
  eventId: number;
  /** One token per socket (several sockets may share a user). */
  tokens: string[];
  /** Sockets go to `urls[(firstSocket + i) % urls.length]`: every process spreads its sockets over every replica. */
  firstSocket: number;
  connectBatchSize: number;
  connectBatchIntervalMs: number;
}

/** One reserve request: its socket's outcome. */
export interface ReserveAnswer {
  /** `ok`, an error code, or `no answer` (none within the give-up bound). */
  outcome: string;
  /** Send → acknowledgement, ms (NaN without an answer). */
  ackMs: number;
  reservation: { id: number; ticketIds: number[] } | null;
}

export interface PhaseAnswers {
  answers: ReserveAnswer[];
  /** When the first request was emitted and the last acknowledgement arrived, epoch ms. */
  firstSentAt: number;
  lastAckAt: number;
}

/** How completely and how soon the sockets had the versions of a phase. */
export interface SyncResult {
  /** Epoch ms at which the last socket had its last version of the range (0 when none was expected). */
  completeAt: number;
  /** Socket × version pairs never received within the wait (sockets still connected). */
  missing: number;
  /** Sockets the server dropped. */
  disconnected: number;
  /** Messages that arrived after a higher version had. */
  outOfOrder: number;
  /** `inventory:changed` messages received since the sockets connected. */
  messages: number;
}

export type ToGenerator =
  | { type: 'plan'; plan: StampedePlan }
  /** Every socket of this process sends `reserve` for `levels[i]` at `goAt` (epoch ms), all at once. */
  | { type: 'reserve'; phase: string; goAt: number; levels: number[] }
  /** Report when every socket had every version in (fromVersion, toVersion], waiting at most timeoutMs. */
  | { type: 'sync'; fromVersion: number; toVersion: number; timeoutMs: number };

export type FromGenerator =
  | { type: 'ready'; connected: number; failed: number; lowestJoinVersion: number }
  | { type: 'answers'; answers: PhaseAnswers }
  | { type: 'synced'; result: SyncResult }
  | { type: 'error'; message: string };
