/**
 * First-reacher subset-sum DP over a word-parallel bitset, for the sums 0..capacity.
 *
 * Tickets are applied in a fixed order (index 0, 1, 2, …). Ticket i with value v makes sum s
 * reachable for the first time exactly when s - v was reachable before it; we then record
 * parent[s] = i and count[s] = count[s - v] + 1. Following parent pointers from s therefore
 * visits strictly decreasing ticket indices: the witness is a set of distinct tickets, and it
 * depends only on the ticket order, never on how the state was reached.
 *
 * Two facts keep this far below the textbook O(n · S / 32):
 * - Reachability only grows while tickets are applied, so a word that is all ones stays that
 *   way. A union-find over words ("previous word that still has a zero") lets each ticket visit
 *   only the words that can still change. With many tickets the set saturates into one long run
 *   of ones and each ticket touches little more than the v/32 words at the frontier.
 * - Appending a ticket (ids grow, so new tickets come last) costs one ticket's pass; any other
 *   change replays from scratch, which the next point makes cheap.
 *
 * Reachability and witnesses are separable: the bits are word-parallel and cheap, the parent and
 * count writes cost per sum. `witnessLimit` bounds the sums whose parent/count are recorded;
 * since the DP over sums <= L reads only sums <= L, the witnesses below the limit are exactly
 * those of the unbounded DP. So the reachable set (and every rank query) is always exact, and
 * witnesses are computed only as far as something asks for them.
 *
 * A rank directory (set bits before every 512-bit block) answers rank in O(1) and select in
 * O(1) in saturated stretches, O(log) of the blocks between two 512-bit samples otherwise.
 *
 * Memory: capacity + 1 sums × (4 B parent + 4 B count + 1/8 B bit) plus 1/8 B per sum for the
 * union-find and 1/128 B for the directory.
 */
import { popcount32, selectInWord } from './bits';

const WORDS_PER_BLOCK = 16; // 512 bits per rank-directory block

export class ReachableSums {
  /** Highest tracked sum; capacity + 1 is a multiple of 32 so every word is whole. */
  readonly capacity: number;
  /** Bit s is set when sum s is reachable with the applied tickets. */
  readonly words: Int32Array;
  /** Index of the ticket that first reached s (only meaningful where the bit is set; -1 at 0). */
  readonly parent: Int32Array;
  /** Number of tickets in the witness of s (only meaningful where the bit is set). */
  readonly count: Int32Array;
  /** Union-find over words: prevOpen[w] === w while word w has a zero bit; otherwise a lower word. */
  private readonly prevOpen: Int32Array;
  /** Set bits before each block; valid after `indexRanks()`. */
  private readonly blockRank: Int32Array;
  /** selectHint[j]: the block holding set bit number j·512; narrows select's search to a block or two. */
  private selectHint: Int32Array = new Int32Array(1);
  /** How many tickets (a prefix of the ticket order) the state reflects. */
  applied = 0;
  /** Sum of the applied tickets' values. */
  appliedTotal = 0;
  /** parent/count are recorded for sums <= witnessLimit (the last sum of a word, or -1). */
  private witnessLimit = -1;
  /** Words (and their union-find entries) from here up still hold a previous state: reset lazily. */
  private staleFrom = 0;
  /** Words fullFrom..fullTo are known to be all ones (written by the shortcut); spares the rank index a scan. */
  private fullFrom = 0;
  private fullTo = -1;

  /**
   * Allocates state for sums 0..(at least) minCapacity, holding only sum 0, recording witnesses
   * up to `witnessLimit` (default: all). O(capacity / 32) plus zeroed allocation.
   */
  constructor(minCapacity: number, witnessLimit = Infinity) {
    const wordCount = Math.floor(minCapacity / 32) + 1;
    this.capacity = wordCount * 32 - 1;
    this.words = new Int32Array(wordCount);
    this.parent = new Int32Array(this.capacity + 1);
    this.count = new Int32Array(this.capacity + 1);
    this.prevOpen = new Int32Array(wordCount);
    this.blockRank = new Int32Array(Math.ceil(wordCount / WORDS_PER_BLOCK) + 1);
    this.reset(witnessLimit);
  }

  /** Highest sum whose witness (parent, count) is recorded. */
  get witnessedUpTo(): number {
    return this.witnessLimit;
  }

  /**
   * Back to the empty ticket prefix (only sum 0 reachable), recording witnesses from now on for
   * sums up to witnessLimit (rounded up to a whole word). O(witnessLimit / 32) now; the words
   * above it are cleared when a ticket first reaches them, or overwritten by the shortcut.
   */
  reset(witnessLimit: number): void {
    this.witnessLimit = Math.min(this.capacity, Math.floor(Math.max(0, witnessLimit) / 32) * 32 + 31);
    const first = (this.witnessLimit >>> 5) + 1;
    this.words.fill(0, 0, first);
    this.words[0] = 1;
    this.parent[0] = -1;
    this.count[0] = 0;
    for (let w = 0; w < first; w++) this.prevOpen[w] = w;
    this.staleFrom = first;
    this.fullFrom = 0;
    this.fullTo = -1;
    this.applied = 0;
    this.appliedTotal = 0;
  }

  /** Finishes a lazy reset: the words above the witnessed region back to empty. O(capacity / 32). */
  private clearStale(): void {
    const { words, prevOpen } = this;
    if (this.staleFrom >= words.length) return;
    words.fill(0, this.staleFrom);
    for (let w = this.staleFrom; w < prevOpen.length; w++) prevOpen[w] = w;
    this.staleFrom = words.length;
  }

  /**
   * Applies the ticket at index `ticketIndex` (must equal `applied`) with value v.
   * O(words that are not yet full in [v, appliedTotal + v] / 32 + witnessed sums it newly reaches).
   */
  apply(ticketIndex: number, v: number): void {
    this.clearStale();
    this.applyBelow(ticketIndex, v, this.capacity);
  }

  /**
   * `apply`, updating sums up to `limit` only: the words above are left as they are (stale after a
   * reset, until the shortcut overwrites them).
   */
  private applyBelow(ticketIndex: number, v: number, limit: number): void {
    const { words, parent, count } = this;
    const top = Math.min(this.appliedTotal + v, limit);
    this.applied = ticketIndex + 1;
    this.appliedTotal += v;
    if (v > top) return; // reaches nothing we track
    const lowWord = v >>> 5;
    const lastWitnessWord = this.witnessLimit >> 5;
    // Descending, so the source bits s - v we read are still those from before this ticket.
    for (let w = this.findOpen(top >>> 5); w >= lowWord; w = this.findOpen(w - 1)) {
      let fresh = shiftedWord(words, w, v) & ~words[w];
      if (fresh === 0) continue;
      words[w] |= fresh;
      if (words[w] === -1) this.prevOpen[w] = w - 1;
      if (w > lastWitnessWord) continue;
      const base = w << 5;
      do {
        const s = base + 31 - Math.clz32(fresh & -fresh);
        parent[s] = ticketIndex;
        count[s] = count[s - v] + 1;
        fresh &= fresh - 1;
      } while (fresh !== 0);
    }
  }

  /**
   * Applies tickets `applied` .. values.length - 1 as `apply` would, taking a shortcut for the
   * sums above the witnessed region when a replay starts from scratch (the solid-middle lemma):
   *
   * Let R be the sums reachable with some tickets of total T, and suppose R ⊇ [a, T - a] (subset
   * sums are symmetric about T / 2, so a run through the middle has this shape). Adding a ticket
   * of value v <= T - 2a + 1 gives R ∪ (R + v) ⊇ [a, T + v - a]: the two runs touch. So if the
   * smallest tickets, taken in ascending order while their total fits in the witnessed region,
   * have such a run, and every further value (ascending) is at most the run's length so far, the
   * final set is E ∪ [a, T - a] ∪ (T - E), where E, the reachable sums below a, lies inside the
   * witnessed region, which the DP keeps exact anyway. The set does not depend on the order the
   * tickets are applied in, so the witnesses keep theirs.
   *
   * Then the tickets update the witnessed region only, and the sums above it are written
   * directly: O(n + the DP's cost below the witness limit W + capacity/32), against
   * O(S/32 + n·k) for the plain DP. `ascending` holds the same values, sorted.
   */
  applyAll(values: readonly number[], ascending: readonly number[]): void {
    const n = values.length;
    let i = this.applied;
    const limit = this.witnessLimit;
    if (i === 0 && limit < this.capacity) {
      const a = solidMiddleStart(ascending, limit);
      if (a >= 0) {
        let total = 0;
        for (const v of values) total += v;
        const lowestWord = ascending[0] >>> 5;
        for (; i < n; i++) {
          this.applyBelow(i, values[i], limit);
          // Once no ticket can reach an open witnessed word, the rest change nothing there.
          if ((i & 31) === 31 && this.findOpen(limit >>> 5) < lowestWord) break;
        }
        this.applied = n;
        this.appliedTotal = total;
        this.writeAboveWitnessed(a);
        return;
      }
    }
    this.clearStale();
    for (; i < n; i++) this.apply(i, values[i]);
  }

  /**
   * Writes the sums above the witnessed region for a final set E ∪ [a, T - a] ∪ (T - E), E being
   * the (exact) reachable sums below a, and rebuilds the union-find there. O(capacity / 32 + a).
   */
  private writeAboveWitnessed(a: number): void {
    const { words, prevOpen, capacity } = this;
    const total = this.appliedTotal;
    const first = (this.witnessLimit >>> 5) + 1;
    const firstSum = first << 5;
    const lo = Math.max(a, firstSum);
    const hi = Math.min(total - a, capacity);
    words.fill(0, first);
    fillBits(words, lo, hi);
    // s > total - a is reachable iff its mirror total - s (< a, witnessed) is.
    for (let s = Math.max(total - a + 1, firstSum); s <= Math.min(total, capacity); s++) {
      if (this.has(total - s)) words[s >>> 5] |= 1 << (s & 31);
    }
    // The union-find: word by word at the edges, one fill for the run of full words between.
    this.fullFrom = (lo + 31) >>> 5;
    this.fullTo = lo <= hi ? ((hi + 1) >>> 5) - 1 : -1;
    for (let w = first; w < words.length; w++) {
      if (w === this.fullFrom && this.fullTo >= w) {
        const root = words[w - 1] === -1 ? prevOpen[w - 1] : w - 1;
        prevOpen.fill(root, w, this.fullTo + 1);
        w = this.fullTo;
        continue;
      }
      if (words[w] !== -1) prevOpen[w] = w;
      else prevOpen[w] = words[w - 1] === -1 ? prevOpen[w - 1] : w - 1;
    }
    this.staleFrom = words.length;
  }

  /** Largest word index <= w that still has a zero bit, or -1. Amortised O(α). */
  private findOpen(w: number): number {
    const p = this.prevOpen;
    let root = w;
    while (root >= 0 && p[root] !== root) root = p[root];
    while (w > root) {
      const next = p[w];
      p[w] = root;
      w = next;
    }
    return root;
  }

  /** Is sum s (0 <= s <= capacity) reachable? O(1). */
  has(s: number): boolean {
    return (this.words[s >>> 5] & (1 << (s & 31))) !== 0;
  }

  /** Recomputes the rank directory after changes. O(capacity / 32). */
  indexRanks(): void {
    const { words, blockRank } = this;
    let total = 0;
    for (let b = 0; b * WORDS_PER_BLOCK < words.length; b++) {
      blockRank[b] = total;
      const end = Math.min(words.length, (b + 1) * WORDS_PER_BLOCK);
      if (b * WORDS_PER_BLOCK >= this.fullFrom && end - 1 <= this.fullTo) {
        total += (end - b * WORDS_PER_BLOCK) * 32;
        continue;
      }
      for (let w = b * WORDS_PER_BLOCK; w < end; w++) {
        // Most words of a saturated set are all ones: skip the popcount for them.
        const x = words[w];
        total += x === -1 ? 32 : x === 0 ? 0 : popcount32(x);
      }
    }
    blockRank[blockRank.length - 1] = total;
    const hint = (this.selectHint = new Int32Array((total >>> 9) + 2));
    let b = 0;
    for (let j = 0; j < hint.length; j++) {
      const r = j << 9;
      while (b + 1 < blockRank.length - 1 && blockRank[b + 1] <= r) b++;
      hint[j] = b;
    }
  }

  /** Number of reachable sums in [0, x), 0 <= x <= capacity + 1. O(1) (at most 16 popcounts). */
  rank(x: number): number {
    const { words } = this;
    const w = x >>> 5;
    const b = (w / WORDS_PER_BLOCK) | 0;
    let r = this.blockRank[b];
    for (let i = b * WORDS_PER_BLOCK; i < w; i++) r += popcount32(words[i]);
    const rest = x & 31;
    if (rest !== 0) r += popcount32(words[w] & ((1 << rest) - 1));
    return r;
  }

  /** The reachable sum with exactly r reachable sums below it; requires r < rank(capacity + 1). O(1) in full blocks, else O(log of blocks between samples + 16). */
  select(r: number): number {
    const { words, blockRank } = this;
    // The answer's block lies between the hints for the sample below and above r.
    const j = r >>> 9;
    let lo = this.selectHint[j];
    let hi = j + 1 < this.selectHint.length ? this.selectHint[j + 1] : blockRank.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (blockRank[mid] <= r) lo = mid;
      else hi = mid - 1;
    }
    let rem = r - blockRank[lo];
    if (blockRank[lo + 1] - blockRank[lo] === WORDS_PER_BLOCK * 32) return lo * WORDS_PER_BLOCK * 32 + rem;
    for (let w = lo * WORDS_PER_BLOCK; ; w++) {
      const c = popcount32(words[w]);
      if (rem < c) return (w << 5) + selectInWord(words[w], rem);
      rem -= c;
    }
  }

  /** Bytes held by the typed arrays. */
  memoryBytes(): number {
    return (
      this.words.byteLength +
      this.parent.byteLength +
      this.count.byteLength +
      this.prevOpen.byteLength +
      this.blockRank.byteLength
    );
  }
}

/**
 * The solid-middle lemma's test (see ReachableSums.applyAll): takes the smallest values while
 * their total stays <= limit, finds the run of their reachable sums through the middle, [a, T - a],
 * and checks that each further value is at most the run's length so far. Returns a, or -1 when
 * the test fails. O(n + prefix tickets · limit / 32), and O(1) per ticket while the prefix's sums
 * are all of 0..T (the common case of many small values).
 */
export function solidMiddleStart(ascending: readonly number[], limit: number): number {
  const n = ascending.length;
  const bits = new Int32Array((limit >>> 5) + 1);
  let total = 0;
  // While every sum 0..total is reachable, the bits are implied; they are written when that ends.
  let solid = true;
  let p = 0;
  for (; p < n && total + ascending[p] <= limit; p++) {
    const v = ascending[p];
    if (solid && v <= total + 1) {
      total += v;
      continue;
    }
    if (solid) {
      fillBits(bits, 0, total);
      solid = false;
    }
    orShifted(bits, v, total + v);
    total += v;
  }
  if (p === n) return -1; // everything fits in the witnessed region: no shortcut needed
  let a: number;
  if (solid) {
    a = 0;
  } else {
    a = Math.floor(total / 2);
    if (!hasBit(bits, a)) return -1;
    while (a > 0 && hasBit(bits, a - 1)) a--;
  }
  let run = total - 2 * a + 1;
  for (; p < n; p++) {
    if (ascending[p] > run) return -1;
    run += ascending[p];
  }
  return a;
}

const hasBit = (bits: Int32Array, s: number): boolean => (bits[s >>> 5] & (1 << (s & 31))) !== 0;

/** bits |= bits << v, for sums up to top (descending, so each source is read before it changes). */
function orShifted(bits: Int32Array, v: number, top: number): void {
  for (let w = top >>> 5; w >= v >>> 5; w--) bits[w] |= shiftedWord(bits, w, v);
}

/** Word w of the set shifted up by v: bit i is sum (32w + i - v). Requires w >= v >>> 5. O(1). */
function shiftedWord(bits: Int32Array, w: number, v: number): number {
  const q = (w << 5) - v; // the sum whose bit lands on bit 0 of word w
  if (q < 0) return bits[0] << -q;
  const src = q >>> 5;
  const off = q & 31;
  return off === 0 ? bits[src] : (bits[src] >>> off) | (bits[src + 1] << (32 - off));
}

/** Sets bits lo..hi of `bits` (nothing when lo > hi). */
function fillBits(bits: Int32Array, lo: number, hi: number): void {
  if (lo > hi) return;
  const lw = lo >>> 5;
  const hw = hi >>> 5;
  const lowMask = -1 << (lo & 31);
  const highMask = -1 >>> (31 - (hi & 31));
  if (lw === hw) {
    bits[lw] |= lowMask & highMask;
    return;
  }
  bits[lw] |= lowMask;
  bits.fill(-1, lw + 1, hw);
  bits[hw] |= highMask;
}
