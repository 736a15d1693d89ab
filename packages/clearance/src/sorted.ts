/** Helpers over ascending arrays of numbers. */

/**
 * `held` without one occurrence of each of `removed`, plus `added`; all three ascending, every
 * removed value present in held. O(|held| + |removed| + |added|).
 */
export function mergeAscending(
  held: readonly number[],
  removed: readonly number[],
  added: readonly number[],
): number[] {
  const out = new Array<number>(held.length - removed.length + added.length);
  let i = 0;
  let r = 0;
  let a = 0;
  let k = 0;
  while (k < out.length) {
    if (i < held.length && r < removed.length && held[i] === removed[r]) {
      i++;
      r++;
    } else if (a >= added.length || (i < held.length && held[i] <= added[a])) {
      out[k++] = held[i++];
    } else {
      out[k++] = added[a++];
    }
  }
  return out;
}

/** First index whose entry is >= x in an ascending array. O(log n). */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
