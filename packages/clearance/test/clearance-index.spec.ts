import fc from 'fast-check';
import { ClearanceError, ClearanceIndex, type Ticket } from '../src';
import { batchPlans, largeSets, operations, ticketSets } from './arbitraries';
import { bruteForceLevels, isCombinationOf, reachableTable } from './oracle';

/** Everything observable about an index, for comparing two of them. */
function snapshot(index: ClearanceIndex) {
  const levels: number[] = [];
  const combos: (number[] | null)[] = [];
  for (let k = 0; k < index.size; k++) {
    const level = index.levelAt(k);
    levels.push(level);
    combos.push(index.combo(level));
  }
  return { size: index.size, total: index.total, levels, combos };
}

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ClearanceError);
  expect((caught as ClearanceError).code).toBe(code);
}

describe('ClearanceIndex against brute force', () => {
  it('has exactly the brute-force levels, in order, with valid combinations', () => {
    fc.assert(
      fc.property(ticketSets(), (tickets) => {
        const index = ClearanceIndex.build(tickets);
        const expected = bruteForceLevels(tickets);
        expect(index.size).toBe(expected.length);
        const levels = expected.map((_, k) => index.levelAt(k));
        expect(levels).toEqual(expected);
        expect(expected.map((level) => index.countBelow(level))).toEqual(expected.map((_, k) => k));
        const faults = expected.filter((level) => {
          const combo = index.combo(level);
          const ascending = combo !== null && combo.every((id, i) => i === 0 || combo[i - 1] < id);
          return !index.has(level) || !ascending || !isCombinationOf(tickets, combo, level);
        });
        expect(faults).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('answers unreachable levels with has=false and combo=null, and counts around them', () => {
    fc.assert(
      fc.property(ticketSets(), fc.integer({ min: -5, max: 700 }), (tickets, probe) => {
        const index = ClearanceIndex.build(tickets);
        const expected = bruteForceLevels(tickets);
        const reachable = expected.includes(probe);
        expect(index.has(probe)).toBe(reachable);
        expect(index.combo(probe) === null).toBe(!reachable);
        expect(index.countBelow(probe)).toBe(expected.filter((l) => l < probe).length);
        expect(index.countBelow(probe + 0.5)).toBe(expected.filter((l) => l < probe + 0.5).length);
      }),
      { numRuns: 400 },
    );
  });

  it('pages any window of any [min, max] range, with ticket counts and top ids of the combination', () => {
    fc.assert(
      fc.property(
        ticketSets(),
        fc.nat({ max: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.option(fc.integer({ min: -10, max: 400 }), { nil: undefined }),
        fc.option(fc.integer({ min: -10, max: 700 }), { nil: undefined }),
        fc.nat({ max: 6 }),
        (tickets, offset, limit, min, max, maxIds) => {
          const index = ClearanceIndex.build(tickets);
          const inRange = bruteForceLevels(tickets).filter(
            (l) => (min === undefined || l >= min) && (max === undefined || l <= max),
          );
          const page = index.page({ offset, limit, min, max, maxIds });
          expect(page.total).toBe(inRange.length);
          expect(page.rows.map((r) => r.level)).toEqual(inRange.slice(offset, offset + limit));
          for (const row of page.rows) {
            const combo = index.combo(row.level)!;
            expect(row.ticketCount).toBe(combo.length);
            expect(row.ticketIds).toEqual(maxIds === 0 ? [] : combo.slice(-maxIds));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('starts a page at the first level at or above fromLevel, saying at which offset', () => {
    fc.assert(
      fc.property(
        ticketSets(),
        fc.integer({ min: -5, max: 500 }),
        fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
        (tickets, fromLevel, min, max) => {
          const index = ClearanceIndex.build(tickets);
          const inRange = bruteForceLevels(tickets).filter(
            (l) => (min === undefined || l >= min) && (max === undefined || l <= max),
          );
          const at = inRange.findIndex((level) => level >= fromLevel);
          const expectedOffset = at === -1 ? inRange.length : at;
          const page = index.page({ offset: 999, limit: 3, min, max, fromLevel, maxIds: 0 });
          expect(page.offset).toBe(expectedOffset);
          expect(page.rows.map((r) => r.level)).toEqual(inRange.slice(expectedOffset, expectedOffset + 3));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ClearanceIndex updates', () => {
  it('after any add/remove sequence equals a fresh build of the same tickets', () => {
    fc.assert(
      fc.property(ticketSets(10, 30), operations, (initial, ops) => {
        const index = ClearanceIndex.build(initial);
        const current = new Map(initial.map((t) => [t.id, t]));
        for (const op of ops) {
          if (op.kind === 'add') {
            if (current.has(op.ticket.id)) continue;
            index.add(op.ticket);
            current.set(op.ticket.id, op.ticket);
          } else {
            if (current.size === 0) continue;
            const id = [...current.keys()][op.pick % current.size];
            index.remove(id);
            current.delete(id);
          }
          // Query between some operations so that partial replays are exercised too.
          if (op.kind === 'add') expect(index.size).toBe(bruteForceLevels([...current.values()]).length);
        }
        expect(snapshot(index)).toEqual(snapshot(ClearanceIndex.build([...current.values()])));
      }),
      { numRuns: 300 },
    );
  });

  it('shows the same combinations whatever order the tickets arrived in', () => {
    fc.assert(
      fc.property(ticketSets(12, 30), fc.infiniteStream(fc.nat()), (tickets, randomness) => {
        const shuffled = [...tickets];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = randomness.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const incremental = ClearanceIndex.build([]);
        for (const ticket of shuffled) {
          incremental.add(ticket);
          void incremental.size; // force a refresh after every add
        }
        expect(snapshot(incremental)).toEqual(snapshot(ClearanceIndex.build(tickets)));
        expect(snapshot(ClearanceIndex.build(shuffled))).toEqual(snapshot(ClearanceIndex.build(tickets)));
      }),
      { numRuns: 200 },
    );
  });

  it('records witnesses lazily after a change and still matches a fresh build at every level', () => {
    const tickets: Ticket[] = Array.from({ length: 400 }, (_, i) => ({
      id: i + 1,
      value: 1 + ((i * 37) % 97),
    }));
    const index = ClearanceIndex.build(tickets);
    index.remove(1); // an early ticket: every witness above it must be recomputed
    const remaining = tickets.slice(1);
    const fresh = ClearanceIndex.build(remaining);
    const total = fresh.total;
    // Ask from the bottom first, then far up, then the mirror half, so the limit grows in steps.
    for (const level of [3, 50, 4096, 9000, Math.floor(total / 2), total - 5000, total - 2, total]) {
      expect(index.combo(level)).toEqual(fresh.combo(level));
    }
    const middle = Math.floor(fresh.size / 2);
    expect(index.page({ offset: middle, limit: 50, maxIds: 7 })).toEqual(
      fresh.page({ offset: middle, limit: 50, maxIds: 7 }),
    );
  });

  it('keeps working through growth and shrinkage of the total far beyond its first allocation', () => {
    const tickets: Ticket[] = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      value: 1 + ((i * 7) % 13),
    }));
    const index = ClearanceIndex.build(tickets.slice(0, 3));
    for (const ticket of tickets.slice(3)) index.add({ id: ticket.id, value: ticket.value * 50 });
    for (const ticket of tickets.slice(3, 35)) index.remove(ticket.id);
    const remaining = [
      ...tickets.slice(0, 3),
      ...tickets.slice(35).map((t) => ({ id: t.id, value: t.value * 50 })),
    ];
    expect(snapshot(index)).toEqual(snapshot(ClearanceIndex.build(remaining)));
    expect(index.size).toBe(bruteForceLevels(remaining).length);
  });
});

describe('ClearanceIndex batch changes', () => {
  it('after batches of every size (none to all of the tickets, re-adding removed ids), equals a fresh build', () => {
    fc.assert(
      fc.property(ticketSets(14, 40), batchPlans, (initial, plans) => {
        const index = ClearanceIndex.build(initial);
        const held = new Map(initial.map((t) => [t.id, t]));
        for (const plan of plans) {
          let state = plan.seed >>> 0;
          const removed = [...held.keys()].filter(() => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            return state / 2 ** 32 < plan.removeFraction;
          });
          for (const id of removed) held.delete(id);
          // Ids still held after the removals cannot be added again; removed ones can, with a new value.
          const added = plan.added.filter((ticket) => !held.has(ticket.id));
          for (const ticket of added) held.set(ticket.id, ticket);
          index.apply({ removed, added });
          expect(index.ticketCount).toBe(held.size);
          if (plan.query) expect(index.size).toBe(bruteForceLevels([...held.values()]).length);
        }
        expect(snapshot(index)).toEqual(snapshot(ClearanceIndex.build([...held.values()])));
      }),
      { numRuns: 300 },
    );
  });

  it('removes nearly every ticket of a large index and adds them back in two batches, matching fresh builds', () => {
    const tickets: Ticket[] = Array.from({ length: 5000 }, (_, i) => ({
      id: 2 * i + 1,
      value: 1 + ((i * 7919) % 1000),
    }));
    const index = ClearanceIndex.build(tickets);
    const kept = tickets.filter((_, i) => i % 97 === 0);
    const gone = tickets.filter((_, i) => i % 97 !== 0);
    index.apply({ removed: gone.map((t) => t.id) });
    expect(snapshotSize(index)).toEqual(snapshotSize(ClearanceIndex.build(kept)));
    expect(index.combo(kept[0].value)).toEqual(ClearanceIndex.build(kept).combo(kept[0].value));
    index.apply({ added: gone });
    expect(snapshotSize(index)).toEqual(snapshotSize(ClearanceIndex.build(tickets)));
    const middle = Math.floor(index.size / 2);
    expect(index.page({ offset: middle, limit: 20 })).toEqual(
      ClearanceIndex.build(tickets).page({ offset: middle, limit: 20 }),
    );
  });

  it('on large sets (past the first witness limit), batches of every size leave exactly the textbook DP sums', () => {
    fc.assert(
      fc.property(
        largeSets,
        fc.constantFrom(0, 0.02, 0.3, 0.7, 0.98, 1),
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 20 }),
        (tickets, fraction, seed, addedValues) => {
          const index = ClearanceIndex.build(tickets);
          let state = seed >>> 0;
          const removed = tickets.filter(() => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            return state / 2 ** 32 < fraction;
          });
          const added = addedValues.map((value, i) => ({ id: 20_000 + i, value }));
          const held = [...tickets.filter((t) => !removed.includes(t)), ...added];
          index.apply({ removed: removed.map((t) => t.id), added });
          const table = reachableTable(held);
          let levels = 0;
          for (let s = 1; s < table.length; s++) {
            levels += table[s];
            if (index.has(s) !== (table[s] === 1)) expect([s, index.has(s)]).toEqual([s, table[s] === 1]);
          }
          expect(index.size).toBe(levels);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a batch with an unknown or repeated removal, a held or repeated addition, or a total over the ceiling, and changes nothing', () => {
    const index = ClearanceIndex.build(
      [
        { id: 1, value: 3 },
        { id: 2, value: 5 },
        { id: 3, value: 9 },
      ],
      { maxTotal: 30 },
    );
    index.apply({ removed: [3], added: [{ id: 4, value: 1 }] }); // pending, not yet compacted
    const before = snapshot(index);
    expectCode(() => index.apply({ removed: [1, 42] }), 'UNKNOWN_TICKET');
    expectCode(() => index.apply({ removed: [1, 1] }), 'UNKNOWN_TICKET');
    expectCode(() => index.apply({ removed: [3] }), 'UNKNOWN_TICKET');
    expectCode(() => index.apply({ removed: [1], added: [{ id: 2, value: 1 }] }), 'DUPLICATE_TICKET');
    expectCode(() => index.apply({ added: [{ id: 4, value: 1 }] }), 'DUPLICATE_TICKET');
    expectCode(
      () =>
        index.apply({
          added: [
            { id: 7, value: 1 },
            { id: 7, value: 2 },
          ],
        }),
      'DUPLICATE_TICKET',
    );
    expectCode(
      () =>
        index.apply({
          removed: [2],
          added: [
            { id: 7, value: 2 },
            { id: 8, value: 0 },
          ],
        }),
      'INVALID_TICKET',
    );
    expectCode(
      () =>
        index.apply({
          added: [
            { id: 7, value: 11 },
            { id: 8, value: 11 },
          ],
        }),
      'TOTAL_TOO_LARGE',
    );
    expect(snapshot(index)).toEqual(before);
    // Removing and re-adding an id in one batch replaces its value.
    index.apply({ removed: [1, 4], added: [{ id: 1, value: 20 }] });
    expect(snapshot(index)).toEqual(
      snapshot(
        ClearanceIndex.build([
          { id: 1, value: 20 },
          { id: 2, value: 5 },
        ]),
      ),
    );
  });
});

describe('ClearanceIndex replays above the witnessed region (the solid-middle shortcut)', () => {
  it('after removals and additions, has exactly the sums of the textbook DP, with valid combinations', () => {
    fc.assert(
      fc.property(largeSets, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (tickets, picks) => {
        const index = ClearanceIndex.build(tickets);
        let held = [...tickets];
        for (const [step, pick] of picks.entries()) {
          // Alternate: remove a held ticket (forces a replay from scratch), or add a small one.
          if (step % 2 === 0 || held.length === 0) {
            const [gone] = held.splice(pick % Math.max(1, held.length), 1);
            if (gone) index.remove(gone.id);
          } else {
            const ticket = { id: 5000 + step, value: 1 + (pick % 90) };
            held.push(ticket);
            index.add(ticket);
          }
          const table = reachableTable(held);
          const levels: number[] = [];
          for (let s = 1; s < table.length; s++) if (table[s] === 1) levels.push(s);
          expect(index.size).toBe(levels.length);
          for (let s = 1; s < table.length; s++) {
            if (index.has(s) !== (table[s] === 1)) expect([s, index.has(s)]).toEqual([s, table[s] === 1]);
          }
          for (const k of [0, levels.length >> 2, levels.length >> 1, levels.length - 1]) {
            if (k >= 0 && k < levels.length) expect(index.levelAt(k)).toBe(levels[k]);
          }
          for (const level of [
            levels[0],
            levels[levels.length >> 1],
            4096,
            5000,
            levels[levels.length - 1] - 4100,
          ]) {
            if (level === undefined || level < 1) continue;
            const combo = index.combo(level);
            expect(combo !== null).toBe(table[level] === 1);
            if (combo) expect(isCombinationOf(held, combo, level)).toBe(true);
          }
        }
        held = [...held].sort((a, b) => a.id - b.id);
        expect(snapshotSize(index)).toEqual(snapshotSize(ClearanceIndex.build(held)));
      }),
      { numRuns: 60 },
    );
  });
});

describe('ClearanceIndex bulk adds', () => {
  it('matches a fresh build after many adds between queries, and after removals among them', () => {
    // Mostly small values, now and then one far above the others (it breaks the solid middle).
    const value = fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 300 }), weight: 20 },
      { arbitrary: fc.integer({ min: 5000, max: 9000 }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 17, maxLength: 120 }), fc.nat(), (values, pick) => {
        const base = values.slice(0, 5).map((value, i) => ({ id: i + 1, value }));
        const index = ClearanceIndex.build(base);
        const held = [...base];
        // A query replays once, so the adds below wait to be merged.
        expect(index.size).toBe(bruteForceLevels(base).length);
        for (const [i, value] of values.slice(5).entries()) {
          const ticket = { id: 100 + i, value };
          index.add(ticket);
          held.push(ticket);
        }
        const [gone] = held.splice(pick % held.length, 1);
        index.remove(gone.id);
        expect(snapshotSize(index)).toEqual(snapshotSize(ClearanceIndex.build(held)));
        const table = reachableTable(held);
        for (let s = 1; s < table.length; s++)
          if (index.has(s) !== (table[s] === 1)) expect([s, index.has(s)]).toEqual([s, table[s] === 1]);
      }),
      { numRuns: 100 },
    );
  });
});

/** Size and a spread of levels: enough to compare two big indexes cheaply. */
function snapshotSize(index: ClearanceIndex) {
  const ranks = [0, 1, 2, index.size >> 3, index.size >> 1, index.size - 2, index.size - 1].filter(
    (k) => k >= 0 && k < index.size,
  );
  return { size: index.size, levels: ranks.map((k) => index.levelAt(k)) };
}

describe('ClearanceIndex at scale', () => {
  it('saturates a large random instance and still answers exactly at its edges', () => {
    const tickets: Ticket[] = [];
    let seed = 12345;
    for (let id = 1; id <= 3000; id++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      tickets.push({ id, value: 1 + (seed % 1000) });
    }
    const index = ClearanceIndex.build(tickets);
    const total = tickets.reduce((a, t) => a + t.value, 0);
    expect(index.total).toBe(total);
    expect(index.levelAt(index.size - 1)).toBe(total);
    expect(index.combo(total)).toHaveLength(3000);
    for (const level of [1, 2, 17, 999, Math.floor(total / 2), Math.ceil(total / 2), total - 1, total - 17]) {
      const combo = index.combo(level);
      if (combo !== null) expect(isCombinationOf(tickets, combo, level)).toBe(true);
      // Mirror symmetry: a level is reachable exactly when its complement is.
      expect(index.has(level)).toBe(index.has(total - level) || level === total);
    }
    const middle = index.page({ offset: Math.floor(index.size / 2) - 50, limit: 100, maxIds: 20 });
    for (const row of middle.rows) {
      const combo = index.combo(row.level)!;
      expect(row.ticketCount).toBe(combo.length);
      expect(row.ticketIds).toEqual(combo.slice(-20));
      expect(isCombinationOf(tickets, combo, row.level)).toBe(true);
    }
    expect(index.memoryBytes()).toBeLessThan(4.5 * (total + 1) + 24 * tickets.length + 4096);
  });
});

describe('ClearanceIndex errors', () => {
  const tickets = [
    { id: 1, value: 3 },
    { id: 2, value: 5 },
  ];

  it.each([
    ['a duplicate id', [...tickets, { id: 2, value: 1 }], 'DUPLICATE_TICKET'],
    ['a zero value', [{ id: 1, value: 0 }], 'INVALID_TICKET'],
    ['a negative value', [{ id: 1, value: -4 }], 'INVALID_TICKET'],
    ['a fractional value', [{ id: 1, value: 1.5 }], 'INVALID_TICKET'],
    ['an infinite value', [{ id: 1, value: Infinity }], 'INVALID_TICKET'],
    ['a NaN value', [{ id: 1, value: NaN }], 'INVALID_TICKET'],
    ['a negative id', [{ id: -1, value: 1 }], 'INVALID_TICKET'],
    ['a fractional id', [{ id: 0.5, value: 1 }], 'INVALID_TICKET'],
  ])('refuses to build with %s', (_label, input, code) => {
    expectCode(() => ClearanceIndex.build(input as Ticket[]), code);
  });

  it('refuses a total above the ceiling, at build and at add, and stays intact', () => {
    expectCode(() => ClearanceIndex.build(tickets, { maxTotal: 7 }), 'TOTAL_TOO_LARGE');
    const index = ClearanceIndex.build(tickets, { maxTotal: 10 });
    const before = snapshot(index);
    expectCode(() => index.add({ id: 3, value: 3 }), 'TOTAL_TOO_LARGE');
    expect(snapshot(index)).toEqual(before);
    expectCode(() => ClearanceIndex.build(tickets, { maxTotal: 0 }), 'INVALID_OPTIONS');
    expectCode(() => ClearanceIndex.build(tickets, { maxTotal: 2 ** 40 }), 'INVALID_OPTIONS');
  });

  it('refuses bad adds and removes and changes nothing', () => {
    const index = ClearanceIndex.build(tickets);
    const before = snapshot(index);
    expectCode(() => index.add({ id: 1, value: 4 }), 'DUPLICATE_TICKET');
    expectCode(() => index.add({ id: 9, value: 0 }), 'INVALID_TICKET');
    // What an untyped caller may pass.
    const notATicket: unknown = null;
    expectCode(() => index.add(notATicket as Ticket), 'INVALID_TICKET');
    expectCode(() => index.remove(42), 'UNKNOWN_TICKET');
    expectCode(() => index.remove(Number.NaN), 'UNKNOWN_TICKET');
    expect(snapshot(index)).toEqual(before);
  });

  it('refuses ranks and queries out of range', () => {
    const index = ClearanceIndex.build(tickets); // levels 3, 5, 8
    expect(index.size).toBe(3);
    expectCode(() => index.levelAt(3), 'OUT_OF_RANGE');
    expectCode(() => index.levelAt(-1), 'OUT_OF_RANGE');
    expectCode(() => index.levelAt(0.5), 'OUT_OF_RANGE');
    expectCode(() => index.page({ offset: -1, limit: 10 }), 'INVALID_QUERY');
    expectCode(() => index.page({ offset: 0, limit: 0 }), 'INVALID_QUERY');
    expectCode(() => index.page({ offset: 0, limit: 10_001 }), 'INVALID_QUERY');
    expectCode(() => index.page({ offset: 0, limit: 10, maxIds: -1 }), 'INVALID_QUERY');
    expectCode(() => index.page({ offset: 0, limit: 10, min: Number.NaN }), 'INVALID_QUERY');
    expectCode(() => index.countBelow(Number.NaN), 'INVALID_QUERY');
    expect(index.page({ offset: 0, limit: 10, min: 6, max: 4 })).toEqual({ total: 0, offset: 0, rows: [] });
  });

  it('handles the empty index', () => {
    const index = ClearanceIndex.build([]);
    expect(index.size).toBe(0);
    expect(index.total).toBe(0);
    expect(index.has(0)).toBe(false);
    expect(index.combo(1)).toBeNull();
    expect(index.page({ offset: 0, limit: 5 })).toEqual({ total: 0, offset: 0, rows: [] });
    expectCode(() => index.levelAt(0), 'OUT_OF_RANGE');
  });
});

describe('ClearanceIndex combinations avoiding tickets', () => {
  it('swaps an avoided ticket for a free one of the same value, or recomputes when a value has none', () => {
    const index = ClearanceIndex.build([
      { id: 1, value: 5 },
      { id: 2, value: 5 },
      { id: 3, value: 2 },
      { id: 4, value: 3 },
      { id: 9, value: 5 },
    ]);
    expect(index.combo(5)).toEqual([1]);
    expect(index.comboAvoiding(5, new Set([1]))).toEqual([2]);
    expect(index.comboAvoiding(5, new Set([1, 2]))).toEqual([9]);
    // No free five: 2 + 3 instead.
    expect(index.comboAvoiding(5, new Set([1, 2, 9]))).toEqual([3, 4]);
    expect(index.comboAvoiding(5, new Set([1, 2, 9, 3]))).toBeNull();
    expect(index.comboAvoiding(10, new Set([1]))).toEqual([2, 9]);
    // `spread` starts the search for a twin further into the same-valued tickets.
    expect(index.comboAvoiding(5, new Set([1]), 2)).toEqual([9]);
    expect(index.comboAvoiding(5, new Set([1]), 4)).toEqual([2]);
  });

  it('gives a combination that uses none of the avoided tickets exactly when one exists, and changes nothing', () => {
    fc.assert(
      fc.property(
        ticketSets(12, 30),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.nat(),
        (tickets, level, picks, spread) => {
          const index = ClearanceIndex.build(tickets);
          const avoid = new Set(
            tickets.length === 0 ? [] : picks.map((pick) => tickets[pick % tickets.length].id),
          );
          const before = snapshot(index);
          const combo = index.comboAvoiding(level, avoid, spread);
          const rest = tickets.filter((ticket) => !avoid.has(ticket.id));
          expect(combo !== null).toBe(bruteForceLevels(rest).includes(level));
          if (combo) {
            expect(isCombinationOf(rest, combo, level)).toBe(true);
            expect(combo).toEqual([...combo].sort((a, b) => a - b));
            // The level's own combination when it avoids them.
            const own = ClearanceIndex.build(tickets).combo(level)!;
            if (!own.some((id) => avoid.has(id))) expect(combo).toEqual(own);
          }
          expect(snapshot(index)).toEqual(before);
        },
      ),
      { numRuns: 300 },
    );
  });
});
