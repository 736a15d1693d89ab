/** Brute-force reference: every reachable positive subset sum, by plain set expansion. O(n · S). */
import type { Ticket } from '../src';

export function bruteForceLevels(tickets: readonly Ticket[]): number[] {
  const sums = new Set<number>([0]);
  for (const { value } of tickets) {
    for (const s of [...sums]) sums.add(s + value);
  }
  sums.delete(0);
  return [...sums].sort((a, b) => a - b);
}

/** Checks that `ids` are distinct tickets of `tickets` whose values add up to `level`. */
export function isCombinationOf(tickets: readonly Ticket[], ids: readonly number[], level: number): boolean {
  const valueById = new Map(tickets.map((t) => [t.id, t.value]));
  if (new Set(ids).size !== ids.length) return false;
  let sum = 0;
  for (const id of ids) {
    const value = valueById.get(id);
    if (value === undefined) return false;
    sum += value;
  }
  return sum === level;
}

/** Reachable sums 0..total as a byte per sum, by the textbook 0/1 knapsack. O(n · S). */
export function reachableTable(tickets: readonly Ticket[]): Uint8Array {
  const total = tickets.reduce((sum, t) => sum + t.value, 0);
  const reachable = new Uint8Array(total + 1);
  reachable[0] = 1;
  let top = 0;
  for (const { value } of tickets) {
    for (let s = top; s >= 0; s--) if (reachable[s] === 1) reachable[s + value] = 1;
    top += value;
  }
  return reachable;
}
