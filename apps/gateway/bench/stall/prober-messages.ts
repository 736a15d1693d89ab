/** The IPC messages between bench:stall's orchestrator and its /healthz prober process. */
import type { LatencySummary } from '../common/latency';

export interface ProbeResult {
  /** Probes answered or failed within the window (the connection-opening probe before it not counted). */
  answered: number;
  /** Waits of those probes until their answer or failure, ms; `max` includes a probe still unanswered at the window's end. */
  waits: LatencySummary;
  /** A probe was still waiting when the window ended (its age so far counts as a wait). */
  unanswered: boolean;
  /** Failed probes (connection refused or reset; their waits count) and the first failure's message. */
  errors: number;
  firstError: string | null;
}

export type ToProber = { type: 'start'; url: string } | { type: 'stop' };

export type FromProber =
  { type: 'started' } | { type: 'result'; result: ProbeResult } | { type: 'error'; message: string };
