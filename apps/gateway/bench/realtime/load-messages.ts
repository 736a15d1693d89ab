/**
 * The IPC messages between the benchmark orchestrator and its child processes (the load
 * generator and the bare Socket.IO baseline servers).
 */
import type { CpuShare } from '../common/cpu-usage';
import type { HistogramEntries, LatencySummary } from '../common/latency';

export type { HistogramEntries, LatencySummary };

export interface LoadPlan {
  /** `project`: the gateway replicas, reserving as real clients do; `baseline`: bare Socket.IO servers. */
  mode: 'project' | 'baseline';
  urls: string[];
  eventId: number;
  clients: number;
  /** Tokens for listening clients, handed out round-robin (empty for the baseline). */
  listenerTokens: string[];
  /** One reserving client per token; they listen too and count among `clients`. */
  reserverTokens: string[];
  /** Levels the reservers pick from at random. */
  levels: number[];
  reservesPerSecond: number;
  durationMs: number;
  /** Load before durationMs whose latencies are not counted (JIT, caches); loss and order still are. */
  warmupMs: number;
  connectBatchSize: number;
  connectBatchIntervalMs: number;
}

/** What the clients saw, summed over them (and over load generators). */
export interface DeliveryCounts {
  clients: number;
  connectFailures: number;
  /** Messages a connected client should have had (versions after its join) and never got. */
  messagesLost: number;
  /** Sockets the server dropped during the run (they would reconnect and resync by version). */
  disconnected: number;
  disconnectReasons: Record<string, number>;
  /** Versions those dropped sockets did not get. */
  missedWhileDisconnected: number;
  /** Messages that arrived after a higher version had (cross-replica reordering). */
  messagesOutOfOrder: number;
  /** Second copies of a version, or versions the join snapshot already covered. */
  messagesDuplicated: number;
  /** `inventory:changed` messages received over all clients (one message may carry several changes). */
  messagesReceived: number;
  /** Changes received over all clients. */
  changesReceived: number;
  acknowledged: { id: number; ticketIds: number[] }[];
  /** Peak RSS of the (largest) load-generator process, kB. */
  peakRssKb: number;
}

/** Reserve requests and how they were answered. */
export interface ReserveCounts {
  sent: number;
  ok: number;
  rejected: Record<string, number>;
  /** Never acknowledged within the give-up bound (3 min). */
  noAck: number;
  /** Acknowledged, but after more than 20 s. */
  late: number;
}

export interface LoadResult extends DeliveryCounts {
  mode: LoadPlan['mode'];
  /** Versions broadcast during the run (finalVersion − the version clients joined at). */
  expectedChanges: number;
  /** Per change: committedAt → the last client receiving it. */
  fanOutAll: LatencySummary;
  /** Per delivery: committedAt → one client receiving it. */
  fanOutDelivery: LatencySummary;
  meanPayloadBytes: number;
  /** Mean JSON bytes of a whole `inventory:changed` message (its changes and envelope). */
  meanMessageBytes: number;
  reserve: ReserveCounts & {
    ackLatency: LatencySummary;
    okPerSecond: number;
    /** Changes up to the final version over (last committedAt − first send). */
    committedPerSecond: number;
  };

  /** Load-generator processes the clients were split over. */
  generators: number;
  /** Cores each process used from the start of the load to its last acknowledgement. */
  cpu: CpuShare;
}

/** What one load-generator process measured; the orchestrator merges several into a LoadResult. */
export interface GeneratorResult extends DeliveryCounts {
  /** Lowest version a client joined at. */
  lowestJoin: number;
  /** Per version up to the final one, committed after the warm-up: [version, committedAt, received, lastReceivedAt, audience]. */
  versions: [number, number, number, number, number][];
  /** Deliveries after the warm-up, as LatencyHistogram entries. */
  deliveries: HistogramEntries;
  payloadBytes: number;
  payloadSamples: number;
  messageBytes: number;
  messageSamples: number;
  /** Raw, so that several generators' percentiles can be merged. */
  reserve: ReserveCounts & {
    ackLatencies: number[];
    firstSentAt: number;
    lastAckAt: number;
  };
}

export type ToLoadGenerator =
  | { type: 'plan'; plan: LoadPlan }
  | { type: 'go' }
  | { type: 'drain'; finalVersion: number; timeoutMs: number };

export type FromLoadGenerator =
  | { type: 'ready'; connected: number; failed: number; connectMs: number }
  | { type: 'load-done' }
  | { type: 'result'; result: GeneratorResult }
  | { type: 'error'; message: string };

/**
 * One `inventory:changed` message of `changes` consecutive versions from `firstVersion`, each
 * change about `changeBytes` of JSON, committed (as if) evenly over the last `intervalMs`.
 */
export type ToBaselineServer = {
  type: 'broadcast';
  eventId: number;
  firstVersion: number;
  changes: number;
  changeBytes: number;
  intervalMs: number;
};

export type FromBaselineServer = { type: 'listening'; port: number } | { type: 'error'; message: string };
