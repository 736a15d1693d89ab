/**
 * The JSON text's object, or null when it is not valid JSON or not an object (an array or a
 * scalar). For messages from shared infrastructure (Redis channels), checked field by field after.
 */
export function parseJsonObject(raw: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
