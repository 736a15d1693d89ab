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
