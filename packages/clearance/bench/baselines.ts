/**
 * The approaches the clearance index is measured against, implemented here and nowhere else.
 */
import type { Ticket } from '../src';

/**
 * The earlier implementation: for each ticket, add its value to every sum found so far and
 * store a full ticket-id array for each new sum. O(n · S) time, O(S · n) memory.
 */
export function legacyLevels(tickets: readonly Ticket[]): Map<number, number[]> {
  const combos = new Map<number, number[]>([[0, []]]);
  for (const { id, value } of tickets) {
    for (const [sum, ids] of [...combos]) {
      const next = sum + value;
      if (!combos.has(next)) combos.set(next, [...ids, id]);
    }
  }
  combos.delete(0);
  return combos;
}

/**
 * Textbook word-parallel subset-sum DP: shift-or over a Uint32Array of all sums 0..S, recording
 * the first ticket that reaches each sum. Each ticket visits every word up to its prefix sum.
 * O(n · S / 32) words plus S back-pointer writes; 4 bytes + 1 bit per sum.
 */
export function textbookBitsetLevels(tickets: readonly Ticket[]): { bits: Uint32Array; parent: Int32Array } {
  let total = 0;
  for (const t of tickets) total += t.value;
  const words = (total >>> 5) + 1;
  const bits = new Uint32Array(words);
  const parent = new Int32Array(total + 1);
  bits[0] = 1;
  let prefix = 0;
  for (let i = 0; i < tickets.length; i++) {
    const v = tickets[i].value;
    prefix += v;
    const wordShift = v >>> 5;
    const bitShift = v & 31;
    for (let w = prefix >>> 5; w >= wordShift; w--) {
      const src = w - wordShift;
      let shifted = bitShift === 0 ? bits[src] : bits[src] << bitShift;
      if (bitShift !== 0 && src > 0) shifted |= bits[src - 1] >>> (32 - bitShift);
      let fresh = (shifted & ~bits[w]) >>> 0;
      if (fresh === 0) continue;
      bits[w] |= fresh;
      while (fresh !== 0) {
        const low = fresh & -fresh;
        parent[(w << 5) + 31 - Math.clz32(low)] = i;
        fresh = (fresh ^ low) >>> 0;
      }
    }
  }
  return { bits, parent };
}

/** The memory floor: one fill and one read pass over an Int32Array of the total sum. O(S). */
export function memoryFloor(total: number): number {
  const array = new Int32Array(total + 1);
  array.fill(1);
  let sum = 0;
  for (let i = 0; i < array.length; i++) sum += array[i];
  return sum;
}
