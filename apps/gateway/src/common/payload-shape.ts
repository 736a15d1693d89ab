/**
 * Limits on a payload's shape, checked before class-transformer and class-validator see it: the
 * transformer's cost grows with the square of an object's key count (100,000 keys held the event
 * loop for seconds). No DTO of ours comes near these.
 */
export const PAYLOAD_SHAPE_LIMITS = {
  /** Nesting of objects and arrays. */
  depth: 4,
  /** Keys of one object. */
  keys: 32,
  /** Items of one array. */
  arrayLength: 100,
  /** Objects, arrays and values in all. */
  nodes: 500,
} as const;

/** Keys that reach an object's prototype when merged carelessly; no DTO of ours has them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What is wrong with the payload's shape, or null when it fits PAYLOAD_SHAPE_LIMITS and has no
 * FORBIDDEN_KEYS. Stops at the first problem, so it costs O(min(size, limits)) whatever the payload.
 */
export function shapeProblem(payload: unknown): string | null {
  let nodes = 0;
  const walk = (value: unknown, depth: number): string | null => {
    if (++nodes > PAYLOAD_SHAPE_LIMITS.nodes) return `more than ${PAYLOAD_SHAPE_LIMITS.nodes} values`;
    if (typeof value !== 'object' || value === null) return null;
    if (depth >= PAYLOAD_SHAPE_LIMITS.depth) return `nested deeper than ${PAYLOAD_SHAPE_LIMITS.depth} levels`;
    if (Array.isArray(value)) {
      if (value.length > PAYLOAD_SHAPE_LIMITS.arrayLength)
        return `an array of more than ${PAYLOAD_SHAPE_LIMITS.arrayLength} items`;
      for (const item of value) {
        const problem = walk(item, depth + 1);
        if (problem) return problem;
      }
      return null;
    }
    let keys = 0;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (FORBIDDEN_KEYS.has(key)) return `a forbidden key "${key}"`;
      if (++keys > PAYLOAD_SHAPE_LIMITS.keys)
        return `an object with more than ${PAYLOAD_SHAPE_LIMITS.keys} keys`;
      const problem = walk((value as Record<string, unknown>)[key], depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return walk(payload, 0);
}
