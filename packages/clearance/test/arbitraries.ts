import fc from 'fast-check';
import type { Ticket } from '../src';

/** Small ticket sets with distinct ids; values mix tiny (many collisions) and wider ranges. */
export function ticketSets(maxTickets = 14, maxValue = 40): fc.Arbitrary<Ticket[]> {
  return fc
    .uniqueArray(fc.nat({ max: 200 }), { maxLength: maxTickets })
    .chain((ids) =>
      fc
        .array(fc.integer({ min: 1, max: maxValue }), { minLength: ids.length, maxLength: ids.length })
        .map((values) => ids.map((id, i) => ({ id, value: values[i] }))),
    );
}

export type Operation = { kind: 'add'; ticket: Ticket } | { kind: 'remove'; pick: number };

export const operations: fc.Arbitrary<Operation[]> = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('add' as const),
      ticket: fc.record({ id: fc.nat({ max: 300 }), value: fc.integer({ min: 1, max: 60 }) }),
    }),
    fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  ),
  { maxLength: 12 },
);
