/** Merging what several load-generator processes measured into one result. */
import { LatencyHistogram, summarize } from '../common/latency';
import type { GeneratorResult, LoadResult } from './load-messages';

/**
 * One LoadResult from what several load-generator processes measured. A change's fan-out counts
 * only when every client of every generator got it; its latency is the last of them.
 */
export function mergeGeneratorResults(
  mode: LoadResult['mode'],
  finalVersion: number,
  parts: readonly GeneratorResult[],
): Omit<LoadResult, 'cpu'> {
  const sum = (pick: (part: GeneratorResult) => number): number =>
    parts.reduce((total, part) => total + pick(part), 0);
  const addCounts = (pick: (part: GeneratorResult) => Record<string, number>): Record<string, number> => {
    const merged: Record<string, number> = {};
    for (const part of parts)
      for (const [key, count] of Object.entries(pick(part))) merged[key] = (merged[key] ?? 0) + count;
    return merged;
  };
  const versions = new Map<
    number,
    { committedAt: number; received: number; lastReceivedAt: number; audience: number }
  >();
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
  const audiences = parts.map(
    (part) => new Map(part.versions.map(([version, , , , audience]) => [version, audience])),
  );
  const audienceOf = (version: number): number =>
    parts.reduce((total, part, i) => total + (audiences[i].get(version) ?? part.clients), 0);
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
  const firstSentAt = Math.min(
    ...parts.map((part) => (part.reserve.sent > 0 ? part.reserve.firstSentAt : Infinity)),
  );
  const lastAckAt = Math.max(...parts.map((part) => part.reserve.lastAckAt));
  const payloadSamples = sum((part) => part.payloadSamples);
  const messageSamples = sum((part) => part.messageSamples);
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
    meanPayloadBytes:
      payloadSamples === 0 ? 0 : Math.round(sum((part) => part.payloadBytes) / payloadSamples),
    meanMessageBytes:
      messageSamples === 0 ? 0 : Math.round(sum((part) => part.messageBytes) / messageSamples),
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
      committedPerSecond:
        sent === 0
          ? 0
          : (finalVersion - lowestJoin) / Math.max(0.001, (lastCommittedAt - firstSentAt) / 1000),
    },
    acknowledged: parts.flatMap((part) => part.acknowledged),
    peakRssKb: Math.max(...parts.map((part) => part.peakRssKb)),
    generators: parts.length,
  };
}
