/** Percentiles over recorded latencies (nearest rank), and a fixed-bucket histogram for big counts. */

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** A histogram's non-empty buckets, [bucket index, count], with its count and max. */
export interface HistogramEntries {
  buckets: [number, number][];
  count: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
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
