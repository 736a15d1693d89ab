import fc from 'fast-check';
import { lowerBound, mergeAscending } from '../src/sorted';

const ascending = (values: number[]): number[] => [...values].sort((a, b) => a - b);

describe('mergeAscending', () => {
  it('equals sorting held minus one occurrence of each removed value, plus the added ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 30 })),
        fc.array(fc.nat()),
        fc.array(fc.integer({ min: 1, max: 30 })),
        (held, picks, added) => {
          const rest = [...held];
          const removed: number[] = [];
          for (const pick of picks) {
            if (rest.length === 0) break;
            removed.push(...rest.splice(pick % rest.length, 1));
          }
          expect(mergeAscending(ascending(held), ascending(removed), ascending(added))).toEqual(
            ascending([...rest, ...added]),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('lowerBound', () => {
  it('finds the first position whose entry is at least x', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 })),
        fc.integer({ min: -25, max: 25 }),
        (values, x) => {
          const sorted = ascending(values);
          const expected = sorted.findIndex((value) => value >= x);
          expect(lowerBound(sorted, x)).toBe(expected === -1 ? sorted.length : expected);
        },
      ),
    );
  });
});
