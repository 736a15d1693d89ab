/** Number of set bits in a 32-bit integer (SWAR popcount). O(1). */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Position (0..31) of the r-th lowest set bit of `x` (0-based); requires r < popcount32(x). O(1) amortised over bytes. */
export function selectInWord(x: number, r: number): number {
  let base = 0;
  // Skip whole bytes first: at most four popcounts instead of up to 31 bit clears.
  for (;;) {
    const byteCount = popcount32(x & 0xff);
    if (r < byteCount) break;
    r -= byteCount;
    x >>>= 8;
    base += 8;
  }
  for (; r > 0; r--) x &= x - 1;
  return base + (31 - Math.clz32(x & -x));
}
