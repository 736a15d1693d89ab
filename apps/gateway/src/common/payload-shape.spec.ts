import { PAYLOAD_SHAPE_LIMITS, shapeProblem } from './payload-shape';

describe('shapeProblem', () => {
  it('accepts the payloads our DTOs take', () => {
    expect(shapeProblem({ eventId: 3, level: 17, requestId: 'r-1' })).toBeNull();
    expect(shapeProblem({ email: 'a@b.c', password: 'x'.repeat(200), displayName: 'A' })).toBeNull();
    expect(shapeProblem(null)).toBeNull();
    expect(shapeProblem(42)).toBeNull();
  });

  it.each([
    [
      'too many keys',
      Object.fromEntries(Array.from({ length: PAYLOAD_SHAPE_LIMITS.keys + 1 }, (_, i) => [`k${i}`, i])),
    ],
    ['100,000 keys', Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))],
    ['a long array', { level: Array.from({ length: 1_000_000 }, (_, i) => i) }],
    ['deep nesting', JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown],
    ['too many values in all', { a: Array(90).fill({ b: [1, 2, 3, 4, 5] }) }],
    ['a __proto__ key', JSON.parse('{"name":"x","__proto__":{"admin":true}}') as unknown],
    ['a nested constructor key', JSON.parse('{"tickets":[{"constructor":{"prototype":{}}}]}') as unknown],
    ['a prototype key', { prototype: 1 }],
  ])('names the problem with %s', (_case, payload) => {
    expect(shapeProblem(payload)).toEqual(expect.any(String));
  });
});
