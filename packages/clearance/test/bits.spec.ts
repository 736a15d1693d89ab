import fc from 'fast-check';
import { popcount32, selectInWord } from '../src/bits';

function slowBits(x: number): number[] {
  const positions: number[] = [];
  for (let b = 0; b < 32; b++) if ((x >>> b) & 1) positions.push(b);
  return positions;
}

describe('bit helpers', () => {
  it('popcount32 counts the set bits of any 32-bit word', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => {
        expect(popcount32(x)).toBe(slowBits(x).length);
      }),
    );
  });

  it('selectInWord finds every set bit by its rank', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => {
        const positions = slowBits(x);
        expect(positions.map((_, r) => selectInWord(x, r))).toEqual(positions);
      }),
    );
  });
});
