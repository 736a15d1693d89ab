import { isWholeCombination, mayCancel } from './reservation-rules';

describe('reservation rules', () => {
  it('lets the owner or a manager cancel, nobody else', () => {
    expect(mayCancel({ userId: 1 }, 1, new Set())).toBe(true);
    expect(mayCancel({ userId: 1 }, 2, new Set(['levels:reserve']))).toBe(false);
    expect(mayCancel({ userId: 1 }, 2, new Set(['reservations:manage']))).toBe(true);
  });

  it('accepts a conditional update only when it flipped the whole combination', () => {
    expect(isWholeCombination(3, 3)).toBe(true);
    expect(isWholeCombination(2, 3)).toBe(false);
    expect(isWholeCombination(undefined, 3)).toBe(false);
    expect(isWholeCombination(0, 0)).toBe(false);
  });
});
