/**
 * ClearanceIndex: every level (reachable positive subset sum) of a set of tickets, with one
 * deterministic witness combination per level.
 *
 * Algorithm: first-reacher subset-sum DP over a word-parallel bitset with full-word skipping
 * (see ReachableSums), run over the lower half of the sums only. Subset sums are symmetric:
 * s is reachable iff total - s is (take the complement), so levels above total/2 are answered
 * through their mirror and their witness is the complement of the mirror's witness.
 *
 * Laziness: changes are replayed at the next query, once for a burst of them. The reachable set
 * (size, levelAt, countBelow, has) is word-parallel and cheap to replay; witnesses (combo, page)
 * cost a write per sum, so after a change they are replayed only up to the highest sum a query
 * needs: reserving a low level after removing early tickets does not pay for the middle levels.
 * Above that witnessed region a replay usually writes the sums directly instead of running the
 * DP there (the solid-middle lemma, see ReachableSums.applyAll).
 *
 * Determinism: tickets are processed in ascending id order, so the combination shown for a
 * level depends only on the current set of tickets; replicas that hold the same tickets show
 * the same combinations whatever order of add/remove calls brought them there.
 */
import { ClearanceError } from './errors';
import { ReachableSums } from './reachable-sums';
import { lowerBound, mergeAscending } from './sorted';

export interface Ticket {
  readonly id: number;
  readonly value: number;
}

/** A batch of changes for `ClearanceIndex.apply`: ids to remove, then tickets to add. */
export interface TicketChanges {
  readonly removed?: readonly number[];
  readonly added?: readonly Ticket[];
}

export interface ClearanceOptions {
  /** Ceiling on the sum of all ticket values (memory grows with it: about 4.3 bytes per unit). */
  readonly maxTotal?: number;
}

export interface PageQuery {
  /** Rows to skip within the [min, max] range; a non-negative integer. */
  readonly offset: number;
  /** Rows to return; an integer from 1 to MAX_PAGE_LIMIT. */
  readonly limit: number;
  /** Smallest level to include (default 1). */
  readonly min?: number;
  /** Largest level to include (default: the total). */
  readonly max?: number;
  /** Ticket ids to return per row, 0 to MAX_ROW_IDS (default DEFAULT_ROW_IDS). */
  readonly maxIds?: number;
  /** Start at the first level ≥ this one (within [min, max]) instead of at `offset`. */
  readonly fromLevel?: number;
}

export interface LevelRow {
  level: number;
  /** How many tickets the level's combination holds. */
  ticketCount: number;
  /** The combination's highest `maxIds` ticket ids, ascending (all of them when it is small). */
  ticketIds: number[];
}

export interface LevelPage {
  /** Levels within [min, max]. */
  total: number;
  /** Where the rows start within [min, max]: the query's offset, or where `fromLevel` put it. */
  offset: number;
  rows: LevelRow[];
}

export const DEFAULT_MAX_TOTAL = 100_000_000;
/** Hard ceiling: keeps every bit index inside a 32-bit integer. */
export const MAX_TOTAL_LIMIT = 2 ** 30;
export const MAX_PAGE_LIMIT = 10_000;
export const MAX_ROW_IDS = 1_000;
export const DEFAULT_ROW_IDS = 20;
/** After a change that forces a replay from scratch, witnesses are first recorded this far. */
const INITIAL_WITNESS_LIMIT = 4095;

export class ClearanceIndex {
  /**
   * Ticket ids, ascending; values[i] belongs to ids[i]. Changes do not touch these arrays: they
   * are noted below and merged in one pass at the next query (`compact`), so a change of k tickets
   * costs O(k log n) now and O(n + k log k) once, never O(k · n).
   */
  private ids: number[] = [];
  private values: number[] = [];
  /** The same values, ascending (the solid-middle lemma takes the smallest first). */
  private ascendingValues: number[] = [];
  /** Positions in ids/values of tickets removed since the last compaction. */
  private removedAt = new Set<number>();
  /** Tickets added since the last compaction, id -> value (none of them is in ids). */
  private added = new Map<number, number>();
  /** Ticket ids by value (see ticketsByValue); null after a change until asked for again. */
  private byValue: Map<number, number[]> | null = null;
  private sumOfValues = 0;
  private sums: ReachableSums | null = null;
  /** Lowest ticket index whose DP contribution is stale; ids.length when up to date. */
  private staleFrom = 0;
  private readonly maxTotal: number;
  /** Cached after every refresh: reachable sums below 1 (i.e. sum 0), levels in each half. */
  private rankOfOne = 0;
  private lowerCount = 0;
  private upperCount = 0;

  private constructor(options: ClearanceOptions) {
    const maxTotal = options.maxTotal ?? DEFAULT_MAX_TOTAL;
    if (!Number.isSafeInteger(maxTotal) || maxTotal < 1 || maxTotal > MAX_TOTAL_LIMIT) {
      throw new ClearanceError('INVALID_OPTIONS', `maxTotal must be an integer from 1 to ${MAX_TOTAL_LIMIT}`);
    }
    this.maxTotal = maxTotal;
  }

  /**
   * Builds the index of `tickets` (validated as a whole: on any error nothing is built).
   * O(n log n + S/2 + n·k) where S is the total and k the non-full words each ticket meets
   * (about v/32 once the sums saturate); memory about 4.3 bytes per unit of S plus O(n).
   */
  static build(tickets: Iterable<Ticket>, options: ClearanceOptions = {}): ClearanceIndex {
    const index = new ClearanceIndex(options);
    const sorted: Ticket[] = [];
    let total = 0;
    for (const ticket of tickets) {
      assertTicket(ticket);
      total += ticket.value;
      sorted.push({ id: ticket.id, value: ticket.value });
    }
    if (total > index.maxTotal) throw tooLarge(total, index.maxTotal);
    sorted.sort((a, b) => a.id - b.id);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].id === sorted[i - 1].id) throw duplicate(sorted[i].id);
    }
    for (const ticket of sorted) {
      index.ids.push(ticket.id);
      index.values.push(ticket.value);
    }
    index.ascendingValues = index.values.slice().sort((a, b) => a - b);
    index.sumOfValues = total;
    index.refresh(Infinity);
    return index;
  }

  /** Number of reachable positive levels. O(1) after the first query following a change. */
  get size(): number {
    this.refresh();
    return this.lowerCount + this.upperCount;
  }

  /** Sum of all ticket values: the highest level when there is any ticket. O(1). */
  get total(): number {
    return this.sumOfValues;
  }

  /** Number of tickets held. O(1). */
  get ticketCount(): number {
    return this.ids.length - this.removedAt.size + this.added.size;
  }

  /** The k-th smallest level, 0 <= k < size. O(log S). */
  levelAt(k: number): number {
    const size = this.size;
    if (!Number.isSafeInteger(k) || k < 0 || k >= size) {
      throw new ClearanceError('OUT_OF_RANGE', `level rank ${k} is outside 0..${size - 1}`);
    }
    const sums = this.sums!;
    const lower = this.lowerCount;
    if (k < lower) return sums.select(this.rankOfOne + k);
    // Upper levels ascend as their mirrors total - level descend.
    const t = sums.select(this.upperCount - 1 - (k - lower));
    return this.sumOfValues - t;
  }

  /** How many levels are smaller than `level` (any finite number). O(1). */
  countBelow(level: number): number {
    if (typeof level !== 'number' || Number.isNaN(level)) {
      throw new ClearanceError('INVALID_QUERY', `level must be a number, got ${String(level)}`);
    }
    this.refresh();
    const total = this.sumOfValues;
    if (level <= 1) return 0;
    if (level > total) return this.lowerCount + this.upperCount;
    const x = Math.ceil(level); // count levels in [1, x - 1]
    const sums = this.sums!;
    const half = Math.floor(total / 2);
    if (x - 1 <= half) return sums.rank(x) - this.rankOfOne;
    // Upper levels u in (half, x - 1] mirror to t = total - u in [total - x + 1, total - half - 1].
    return this.lowerCount + sums.rank(total - half) - sums.rank(total - x + 1);
  }

  /** Is `level` a reachable positive level? O(1). */
  has(level: number): boolean {
    this.refresh();
    const total = this.sumOfValues;
    if (!Number.isSafeInteger(level) || level < 1 || level > total) return false;
    const half = Math.floor(total / 2);
    return this.sums!.has(level <= half ? level : total - level);
  }

  /**
   * The level's combination: distinct ticket ids, ascending, whose values add up to `level`;
   * null when the level is unreachable. O(tickets in the combination) below total/2, O(n) above.
   */
  combo(level: number): number[] | null {
    if (!this.has(level)) return null;
    const total = this.sumOfValues;
    const half = Math.floor(total / 2);
    this.ensureWitness(Math.min(level, total - level));
    if (level <= half)
      return this.witnessIndices(level)
        .reverse()
        .map((i) => this.ids[i]);
    const excluded = new Uint8Array(this.ids.length);
    for (const i of this.witnessIndices(total - level)) excluded[i] = 1;
    const ids: number[] = [];
    for (let i = 0; i < this.ids.length; i++) if (excluded[i] === 0) ids.push(this.ids[i]);
    return ids;
  }

  /**
   * A combination of `level` that uses none of the `avoid` tickets (tickets someone is reserving
   * right now), or null when there is none; the index is unchanged afterwards. The level's own
   * combination when it avoids them; else that combination with each avoided ticket swapped for a
   * free ticket of the same value (O(combination + same-valued tickets looked at), after an O(n)
   * grouping of the tickets by value once per change); else, when some value has no free twin,
   * the combination the index would show without them (two replays of the reachable set, as after
   * a change, plus the witnesses up to the level). `spread` picks among free twins (the search
   * starts `spread` places into the same-valued tickets), so callers that cannot see each other's
   * choices, such as two replicas, can make different ones.
   */
  comboAvoiding(level: number, avoid: ReadonlySet<number>, spread = 0): number[] | null {
    const own = this.combo(level);
    if (own === null || !own.some((id) => avoid.has(id))) return own;
    const swapped = this.swapAvoided(own, avoid, spread);
    if (swapped) return swapped;
    const gone: Ticket[] = [];
    for (const id of avoid) if (this.holds(id)) gone.push({ id, value: this.valueOf(id) });
    this.apply({ removed: gone.map((ticket) => ticket.id) });
    try {
      return this.combo(level);
    } finally {
      this.apply({ added: gone });
    }
  }

  /** `combo` with each avoided ticket replaced by a free ticket of the same value; null if one has none. */
  private swapAvoided(combo: readonly number[], avoid: ReadonlySet<number>, spread: number): number[] | null {
    const byValue = this.ticketsByValue();
    const used = new Set(combo);
    const swapped: number[] = [];
    for (const id of combo) {
      if (!avoid.has(id)) {
        swapped.push(id);
        continue;
      }
      const group = byValue.get(this.valueOf(id))!;
      let twin: number | undefined;
      for (
        let k = 0, at = Math.abs(Math.trunc(spread)) % group.length;
        k < group.length && twin === undefined;
        k++
      ) {
        const candidate = group[(at + k) % group.length];
        if (!avoid.has(candidate) && !used.has(candidate)) twin = candidate;
      }
      if (twin === undefined) return null;
      used.add(twin);
      swapped.push(twin);
    }
    return swapped.sort((a, b) => a - b);
  }

  /** Ticket ids grouped by value, each group ascending; built once after each change. O(n). */
  private ticketsByValue(): Map<number, number[]> {
    this.compact();
    if (this.byValue) return this.byValue;
    const byValue = new Map<number, number[]>();
    for (let i = 0; i < this.ids.length; i++) {
      const group = byValue.get(this.values[i]);
      if (group) group.push(this.ids[i]);
      else byValue.set(this.values[i], [this.ids[i]]);
    }
    return (this.byValue = byValue);
  }

  /**
   * Rows `offset .. offset + limit - 1` of the levels within [min, max], ascending, each with its
   * ticket count and at most `maxIds` ticket ids. O(limit · (log S + maxIds)) below total/2; a row
   * above it also walks the part of its mirror's witness that interleaves its top ids.
   */
  page(query: PageQuery): LevelPage {
    const { offset, limit } = query;
    const maxIds = query.maxIds ?? DEFAULT_ROW_IDS;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw invalidQuery('offset must be a non-negative integer');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw invalidQuery(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    }
    if (!Number.isSafeInteger(maxIds) || maxIds < 0 || maxIds > MAX_ROW_IDS) {
      throw invalidQuery(`maxIds must be an integer from 0 to ${MAX_ROW_IDS}`);
    }
    for (const [name, bound] of [
      ['min', query.min],
      ['max', query.max],
      ['fromLevel', query.fromLevel],
    ] as const) {
      if (bound !== undefined && (typeof bound !== 'number' || Number.isNaN(bound))) {
        throw invalidQuery(`${name} must be a number`);
      }
    }
    this.refresh();
    const first = this.countBelow(query.min ?? 1);
    const end = Math.max(first, this.countBelow(Math.floor(query.max ?? this.sumOfValues) + 1));
    const start =
      query.fromLevel === undefined
        ? offset
        : Math.min(end, Math.max(first, this.countBelow(query.fromLevel))) - first;
    const levels: number[] = [];
    for (let k = first + start; k < end && levels.length < limit; k++) levels.push(this.levelAt(k));
    // The witnesses needed reach the largest lower-half sum among the rows and their mirrors.
    const total = this.sumOfValues;
    let needed = 0;
    for (const level of levels) needed = Math.max(needed, Math.min(level, total - level));
    this.ensureWitness(needed);
    const rows = levels.map((level) => ({
      level,
      ticketCount: this.comboSize(level),
      ticketIds: this.topIds(level, maxIds),
    }));
    return { total: end - first, offset: start, rows };
  }

  /** Adds a ticket. O(log n) now; the DP catches up lazily at the next query. */
  add(ticket: Ticket): void {
    this.apply({ added: [ticket] });
  }

  /** Removes the ticket with this id. O(log n) now; the DP catches up lazily at the next query. */
  remove(ticketId: number): void {
    this.apply({ removed: [ticketId] });
  }

  /**
   * Applies a batch of changes as a whole: the removals, then the additions. Validated first, so a
   * refused batch (UNKNOWN_TICKET, DUPLICATE_TICKET, INVALID_TICKET, TOTAL_TOO_LARGE) changes
   * nothing. O(k log n) now for k tickets; the next query merges them in O(n + k log k) and
   * replays the DP once for the whole batch.
   */
  apply(changes: TicketChanges): void {
    const removed = changes.removed ?? [];
    const added = changes.added ?? [];
    const removedNow = new Set<number>();
    let total = this.sumOfValues;
    for (const id of removed) {
      if (!this.holds(id) || removedNow.has(id)) {
        throw new ClearanceError('UNKNOWN_TICKET', `no ticket with id ${String(id)}`);
      }
      removedNow.add(id);
      total -= this.valueOf(id);
    }
    const addedNow = new Set<number>();
    for (const ticket of added) {
      assertTicket(ticket);
      if ((this.holds(ticket.id) && !removedNow.has(ticket.id)) || addedNow.has(ticket.id))
        throw duplicate(ticket.id);
      addedNow.add(ticket.id);
      total += ticket.value;
    }
    if (total > this.maxTotal) throw tooLarge(total, this.maxTotal);
    for (const id of removed) {
      if (this.added.delete(id)) continue;
      this.removedAt.add(lowerBound(this.ids, id));
    }
    for (const ticket of added) this.added.set(ticket.id, ticket.value);
    this.sumOfValues = total;
    this.byValue = null;
  }

  /** Is a ticket with this id held (changes not yet compacted included)? O(log n). */
  private holds(id: number): boolean {
    if (this.added.has(id)) return true;
    const at = lowerBound(this.ids, id);
    return this.ids[at] === id && !this.removedAt.has(at);
  }

  /** The value of a held ticket. O(log n). */
  private valueOf(id: number): number {
    return this.added.get(id) ?? this.values[lowerBound(this.ids, id)];
  }

  /**
   * Merges the noted changes into ids, values and ascendingValues in one pass each, and marks the
   * DP stale from the first position that changed (an append keeps the DP's prefix).
   * O(n + k log k) for k changed tickets; O(1) without changes.
   */
  private compact(): void {
    if (this.removedAt.size === 0 && this.added.size === 0) return;
    const { ids, values } = this;
    const addedIds = [...this.added.keys()].sort((a, b) => a - b);
    let firstChanged = addedIds.length > 0 ? lowerBound(ids, addedIds[0]) : ids.length;
    for (const at of this.removedAt) firstChanged = Math.min(firstChanged, at);
    const keptCount = ids.length - this.removedAt.size;
    const nextIds = new Array<number>(keptCount + addedIds.length);
    const nextValues = new Array<number>(nextIds.length);
    for (let i = 0, j = 0, k = 0; k < nextIds.length;) {
      while (i < ids.length && this.removedAt.has(i)) i++;
      if (j >= addedIds.length || (i < ids.length && ids[i] < addedIds[j])) {
        nextIds[k] = ids[i];
        nextValues[k++] = values[i++];
      } else {
        nextIds[k] = addedIds[j];
        nextValues[k++] = this.added.get(addedIds[j++])!;
      }
    }
    const removedValues = [...this.removedAt].map((at) => values[at]).sort((a, b) => a - b);
    const addedValues = [...this.added.values()].sort((a, b) => a - b);
    this.ascendingValues = mergeAscending(this.ascendingValues, removedValues, addedValues);
    this.ids = nextIds;
    this.values = nextValues;
    this.removedAt = new Set();
    this.added = new Map();
    this.staleFrom = Math.min(this.staleFrom, firstChanged);
  }

  /** Bytes held by the DP arrays and the ticket arrays (an estimate for the latter). O(1). */
  memoryBytes(): number {
    return (this.sums?.memoryBytes() ?? 0) + this.ids.length * 24;
  }

  /**
   * Brings the DP up to date with the tickets: an append replays one ticket; any other change
   * replays the reachable set from scratch, recording witnesses only up to `witnessLimit`.
   */
  private refresh(witnessLimit = INITIAL_WITNESS_LIMIT): void {
    this.compact();
    const n = this.ids.length;
    const half = Math.floor(this.sumOfValues / 2);
    let sums = this.sums;
    // Reallocate when the lower half outgrew the arrays, or shrank far enough to waste memory.
    if (sums === null || sums.capacity < half || sums.capacity > half + (half >>> 1) + 4096) {
      sums = this.sums = new ReachableSums(half + (half >>> 4) + 64, witnessLimit);
      this.staleFrom = 0;
    } else if (this.staleFrom === n && sums.applied === n) {
      return;
    }
    // Anything but an append replays from scratch; the reachable set is cheap, and witnesses
    // wait until a query needs them.
    if (this.staleFrom < sums.applied) sums.reset(Math.min(sums.witnessedUpTo, witnessLimit));
    this.replay();
  }

  /** Makes sure witnesses are recorded for lower-half sums up to t: replays with a higher limit if not. */
  private ensureWitness(t: number): void {
    this.refresh();
    const sums = this.sums!;
    if (t <= sums.witnessedUpTo) return;
    // Doubling keeps a scan across the table from replaying once per page.
    sums.reset(Math.max(t, 2 * sums.witnessedUpTo));
    this.replay();
  }

  private replay(): void {
    const sums = this.sums!;
    const n = this.ids.length;
    const half = Math.floor(this.sumOfValues / 2);
    sums.applyAll(this.values, this.ascendingValues);
    sums.indexRanks();
    this.rankOfOne = sums.rank(1);
    this.lowerCount = sums.rank(half + 1) - this.rankOfOne;
    // Levels above half mirror to t = total - level in [0, total - half - 1].
    this.upperCount = sums.rank(this.sumOfValues - half);
    this.staleFrom = n;
  }

  /** Ticket indices of the witness of lower-half sum s, descending (witnesses up to s recorded). */
  private witnessIndices(s: number): number[] {
    const { parent } = this.sums!;
    const out: number[] = [];
    while (s > 0) {
      const i = parent[s];
      out.push(i);
      s -= this.values[i];
    }
    return out;
  }

  private comboSize(level: number): number {
    const total = this.sumOfValues;
    const { count } = this.sums!;
    return level <= Math.floor(total / 2) ? count[level] : this.ids.length - count[total - level];
  }

  /** The combination's `m` highest ticket ids, ascending, without materialising it. */
  private topIds(level: number, m: number): number[] {
    const total = this.sumOfValues;
    const { parent } = this.sums!;
    const picked: number[] = [];
    if (level <= Math.floor(total / 2)) {
      for (let s = level; s > 0 && picked.length < m;) {
        const i = parent[s];
        picked.push(i);
        s -= this.values[i];
      }
    } else {
      // Complement of the mirror's witness: walk all indices downward, skipping the witness's
      // (also descending) indices as they come.
      let s = total - level;
      let skip = s > 0 ? parent[s] : -1;
      for (let i = this.ids.length - 1; i >= 0 && picked.length < m; i--) {
        if (i === skip) {
          s -= this.values[i];
          skip = s > 0 ? parent[s] : -1;
        } else {
          picked.push(i);
        }
      }
    }
    return picked.reverse().map((i) => this.ids[i]);
  }
}

function assertTicket(ticket: Ticket): void {
  if (ticket === null || typeof ticket !== 'object') {
    throw new ClearanceError('INVALID_TICKET', 'a ticket must be an object { id, value }');
  }
  const { id, value } = ticket;
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new ClearanceError('INVALID_TICKET', `ticket id must be a non-negative integer, got ${String(id)}`);
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ClearanceError(
      'INVALID_TICKET',
      `ticket ${id} value must be a positive integer, got ${String(value)}`,
    );
  }
}

function duplicate(id: number): ClearanceError {
  return new ClearanceError('DUPLICATE_TICKET', `ticket id ${id} appears twice`);
}

function tooLarge(total: number, maxTotal: number): ClearanceError {
  return new ClearanceError('TOTAL_TOO_LARGE', `total value ${total} exceeds the ceiling ${maxTotal}`);
}

function invalidQuery(message: string): ClearanceError {
  return new ClearanceError('INVALID_QUERY', message);
}
