/** Percentiles over recorded latencies (nearest rank), and a fixed-bucket histogram for big counts. */
import type { GeneratorResult, HistogramEntries, LatencySummary, LoadResult } from './load-messages';

export function summarize(values: number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { count: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1] };
}

/** 0.1 ms buckets up to 120 s; millions of deliveries without keeping each one. */
export class LatencyHistogram {
  private static readonly RESOLUTION_MS = 0.1;
  private readonly buckets = new Uint32Array(1_200_000);
  private count = 0;
  private max = 0;

  record(latencyMs: number): void {
    const value = Math.max(0, latencyMs);
    const index = Math.min(this.buckets.length - 1, Math.round(value / LatencyHistogram.RESOLUTION_MS));
    this.buckets[index] += 1;
    this.count += 1;
    if (value > this.max) this.max = value;
  }

  /** The non-empty buckets, to merge histograms from several processes. */
  entries(): HistogramEntries {
    const buckets: [number, number][] = [];
    this.buckets.forEach((count, index) => {
      if (count > 0) buckets.push([index, count]);
    });
    return { buckets, count: this.count, max: this.max };
  }

  add(entries: HistogramEntries): void {
    for (const [index, count] of entries.buckets) this.buckets[index] += count;
    this.count += entries.count;
    this.max = Math.max(this.max, entries.max);
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
    const at = (p: number): number => {
      const target = Math.ceil((p / 100) * this.count);
      let seen = 0;
      for (let index = 0; index < this.buckets.length; index += 1) {
        seen += this.buckets[index];
        if (seen >= target) return index * LatencyHistogram.RESOLUTION_MS;
      }
      return this.max;
    };
    return { count: this.count, p50: at(50), p99: at(99), max: this.max };
  }
}

/** Fine enough for the rate, coarse enough not to spin: half the gap between two sends, 2..10 ms. */
export function schedulerTickMs(perSecond: number): number {
  return Math.max(2, Math.min(10, 500 / perSecond));
}

/**
 * One LoadResult from what several load-generator processes measured. A change's fan-out counts
 * only when every client of every generator got it; its latency is the last of them.
 */
export function mergeGeneratorResults(mode: LoadResult['mode'], finalVersion: number, parts: readonly GeneratorResult[]): Omit<LoadResult, 'cpu'> {
  const sum = (pick: (part: GeneratorResult) => number): number => parts.reduce((total, part) => total + pick(part), 0);
  const addCounts = (pick: (part: GeneratorResult) => Record<string, number>): Record<string, number> => {
    const merged: Record<string, number> = {};
    for (const part of parts) for (const [key, count] of Object.entries(pick(part))) merged[key] = (merged[key] ?? 0) + count;
    return merged;
  };
  const versions = new Map<number, { committedAt: number; received: number; lastReceivedAt: number; audience: number }>();
  for (const part of parts) {
    for (const [version, committedAt, received, lastReceivedAt, audience] of part.versions) {
      const merged = versions.get(version) ?? { committedAt, received: 0, lastReceivedAt: 0, audience: 0 };
      merged.received += received;
      merged.audience += audience;
      merged.lastReceivedAt = Math.max(merged.lastReceivedAt, lastReceivedAt);
      versions.set(version, merged);
    }
  }
  // A generator none of whose clients got a version has no entry for it: its clients still count as audience.
  const audiences = parts.map((part) => new Map(part.versions.map(([version, , , , audience]) => [version, audience])));
  const audienceOf = (version: number): number => parts.reduce((total, part, i) => total + (audiences[i].get(version) ?? part.clients), 0);
  const fanOutAll: number[] = [];
  let lastCommittedAt = 0;
  for (const [version, stats] of versions) {
    lastCommittedAt = Math.max(lastCommittedAt, stats.committedAt);
    if (stats.received === audienceOf(version)) fanOutAll.push(stats.lastReceivedAt - stats.committedAt);
  }
  const deliveries = new LatencyHistogram();
  parts.forEach((part) => deliveries.add(part.deliveries));
  const lowestJoin = Math.min(...parts.map((part) => part.lowestJoin));
  const ackLatencies = parts.flatMap((part) => part.reserve.ackLatencies);
  const sent = sum((part) => part.reserve.sent);
  const ok = sum((part) => part.reserve.ok);
  const firstSentAt = Math.min(...parts.map((part) => (part.reserve.sent > 0 ? part.reserve.firstSentAt : Infinity)));
  const lastAckAt = Math.max(...parts.map((part) => part.reserve.lastAckAt));
  const payloadSamples = sum((part) => part.payloadSamples);
  return {
    mode,
    clients: sum((part) => part.clients),
    connectFailures: sum((part) => part.connectFailures),
    expectedChanges: finalVersion - lowestJoin,
    fanOutAll: summarize(fanOutAll),
    fanOutDelivery: deliveries.summary(),
    messagesLost: sum((part) => part.messagesLost),
    disconnected: sum((part) => part.disconnected),
    disconnectReasons: addCounts((part) => part.disconnectReasons),
    missedWhileDisconnected: sum((part) => part.missedWhileDisconnected),
    messagesOutOfOrder: sum((part) => part.messagesOutOfOrder),
    messagesDuplicated: sum((part) => part.messagesDuplicated),
    meanPayloadBytes: payloadSamples === 0 ? 0 : Math.round(sum((part) => part.payloadBytes) / payloadSamples),
    messagesReceived: sum((part) => part.messagesReceived),
    changesReceived: sum((part) => part.changesReceived),
    reserve: {
      sent,
      ok,
      rejected: addCounts((part) => part.reserve.rejected),
      noAck: sum((part) => part.reserve.noAck),
      late: sum((part) => part.reserve.late),
      ackLatency: summarize(ackLatencies),
      okPerSecond: sent === 0 ? 0 : ok / Math.max(0.001, (lastAckAt - firstSentAt) / 1000),
      committedPerSecond: sent === 0 ? 0 : (finalVersion - lowestJoin) / Math.max(0.001, (lastCommittedAt - firstSentAt) / 1000),
    },
    acknowledged: parts.flatMap((part) => part.acknowledged),
    peakRssKb: Math.max(...parts.map((part) => part.peakRssKb)),
    generators: parts.length,
  };
}
