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

/**
 * A batch for `ClearanceIndex.apply`: which held tickets to remove (as picks into the held list,
 * `removeFraction` of them in expectation, so batches of every size from none to all occur) and
 * fresh tickets to add.
 */
export interface BatchPlan {
  removeFraction: number;
  seed: number;
  added: { id: number; value: number }[];
  /** Query the index after this batch (else the next batch lands on top of it before any replay). */
  query: boolean;
}

export const batchPlans: fc.Arbitrary<BatchPlan[]> = fc.array(
  fc.record({
    removeFraction: fc.constantFrom(0, 0.1, 0.5, 0.9, 1),
    seed: fc.integer(),
    added: fc.uniqueArray(fc.record({ id: fc.nat({ max: 400 }), value: fc.integer({ min: 1, max: 60 }) }), {
      selector: (ticket) => ticket.id,
      maxLength: 12,
    }),
    query: fc.boolean(),
  }),
  { minLength: 1, maxLength: 6 },
);

/** Totals well past the first witness limit (4095); values dense, gapped, or with a few giants. */
export const largeSets: fc.Arbitrary<Ticket[]> = fc
  .record({
    count: fc.integer({ min: 20, max: 120 }),
    low: fc.integer({ min: 1, max: 60 }),
    spread: fc.integer({ min: 1, max: 400 }),
    step: fc.constantFrom(1, 1, 1, 7, 50),
    giants: fc.array(fc.integer({ min: 500, max: 6000 }), { maxLength: 3 }),
    seed: fc.integer(),
  })
  .map(({ count, low, spread, step, giants, seed }) => {
    const tickets: Ticket[] = [];
    let state = seed >>> 0;
    for (let id = 1; id <= count; id++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      tickets.push({ id: id * 3, value: low + step * ((state >>> 8) % spread) });
    }
    giants.forEach((value, i) => tickets.push({ id: 1000 + i, value }));
    return tickets;
  });
