import fc from 'fast-check';
import { solidMiddleStart } from '../src/reachable-sums';
import { reachableTable } from './oracle';

/** The lemma's test, spelled out with the textbook DP. */
function oracleSolidMiddleStart(ascending: readonly number[], limit: number): number {
  let p = 0;
  let total = 0;
  while (p < ascending.length && total + ascending[p] <= limit) total += ascending[p++];
  if (p === ascending.length) return -1;
  const table = reachableTable(ascending.slice(0, p).map((value, id) => ({ id, value })));
  let a = Math.floor(total / 2);
  if (table[a] !== 1) return -1;
  while (a > 0 && table[a - 1] === 1) a--;
  let run = total - 2 * a + 1;
  for (const value of ascending.slice(p)) {
    if (value > run) return -1;
    run += value;
  }
  return a;
}

describe('solidMiddleStart (the solid-middle lemma test)', () => {
  it('finds the middle run of the smallest tickets and checks every later value against it, as the textbook DP does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 300 }),
        (small, large, limit) => {
          const ascending = [...small, ...large].sort((a, b) => a - b);
          expect(solidMiddleStart(ascending, limit)).toBe(oracleSolidMiddleStart(ascending, limit));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('handles the edges: nothing past the limit, a gap right after the prefix, one huge value', () => {
    expect(solidMiddleStart([1, 1, 2], 10)).toBe(-1); // everything fits below the limit
    expect(solidMiddleStart([1, 1, 2, 5], 4)).toBe(0); // [0, 4] solid, run 5 >= 5
    expect(solidMiddleStart([1, 1, 2, 6], 4)).toBe(-1); // 6 > run 5: the sum 5 is missing
    expect(solidMiddleStart([3, 3, 3, 4], 9)).toBe(-1); // {0, 3, 6, 9}: the middle, 4, is a gap
    expect(solidMiddleStart([2, 2, 3, 4], 7)).toBe(2); // {0, 2, 3, 4, 5, 7}: run [2, 5], 4 <= its length
    expect(solidMiddleStart([2, 2, 3, 5], 7)).toBe(-1); // 5 > 4
  });
});
