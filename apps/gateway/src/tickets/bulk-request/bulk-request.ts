import { PLAIN_TEXT_PATTERN, TICKET_LIMITS } from '@tickets/protocol';

/**
 * A bulk ticket request, decoded: either explicit tickets as columns (values, and labels packed
 * into one string with their end offsets, so 100,000 of them cross threads as two buffers and one
 * string), or a random batch.
 */
export type BulkRequest =
  | { kind: 'list'; values: Float64Array; labels: PackedLabels | null }
  | { kind: 'random'; count: number; minValue: number; maxValue: number };

/** Labels in one string; label i is text.slice(ends[i - 1] ?? 0, ends[i]); an empty one means "no label". */
export interface PackedLabels {
  text: string;
  ends: Uint32Array;
}

export type BulkRequestReading = { ok: true; request: BulkRequest } | { ok: false; message: string };

export function labelAt(labels: PackedLabels | null, i: number): string | undefined {
  if (!labels) return undefined;
  const label = labels.text.slice(i === 0 ? 0 : labels.ends[i - 1], labels.ends[i]);
  return label === '' ? undefined : label;
}

/**
 * Parses and checks the body of `POST /api/events/:eventId/tickets/bulk`: `{ tickets: [{ label?,
 * value }] }` or `{ count, minValue, maxValue }`, nothing else. Linear in the body; it runs in a
 * worker thread (BulkRequestReader), since a body of 100,000 tickets takes tens of milliseconds.
 */
export function readBulkRequest(json: string): BulkRequestReading {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return fail('The body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return fail('The body must be a JSON object');
  const keys = Object.keys(body);
  const fields = body as Record<string, unknown>;
  if (keys.length === 1 && keys[0] === 'tickets') return readList(fields.tickets);
  const random = ['count', 'minValue', 'maxValue'];
  if (keys.length === 3 && keys.every((key) => random.includes(key))) return readRandom(fields);
  return fail(
    'Give either tickets: [{ label?, value }] or count, minValue and maxValue, not both and nothing else',
  );
}

function readList(tickets: unknown): BulkRequestReading {
  if (!Array.isArray(tickets) || tickets.length < 1 || tickets.length > TICKET_LIMITS.maxPerBulkCall) {
    return fail(`tickets must be an array of 1 to ${TICKET_LIMITS.maxPerBulkCall} tickets`);
  }
  const values = new Float64Array(tickets.length);
  const ends = new Uint32Array(tickets.length);
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; i < tickets.length; i++) {
    const ticket: unknown = tickets[i];
    if (typeof ticket !== 'object' || ticket === null || Array.isArray(ticket))
      return fail(`tickets.${i} must be an object`);
    const { label, value, ...rest } = ticket as Record<string, unknown>;
    if (Object.keys(rest).length > 0)
      return fail(`tickets.${i} has unknown fields: ${Object.keys(rest).slice(0, 3).join(', ')}`);
    if (!isIntegerIn(value, 1, TICKET_LIMITS.maxValue))
      return fail(`tickets.${i}.value must be an integer from 1 to ${TICKET_LIMITS.maxValue}`);
    values[i] = value;
    if (label !== undefined) {
      if (typeof label !== 'string' || label.length < 1 || label.length > TICKET_LIMITS.maxLabelLength) {
        return fail(`tickets.${i}.label must be a string of 1 to ${TICKET_LIMITS.maxLabelLength} characters`);
      }
      if (!PLAIN_TEXT_PATTERN.test(label))
        return fail(`tickets.${i}.label contains control or bidi-override characters`);
      parts.push(label);
      length += label.length;
    }
    ends[i] = length;
  }
  return {
    ok: true,
    request: { kind: 'list', values, labels: length === 0 ? null : { text: parts.join(''), ends } },
  };
}

function readRandom(fields: Record<string, unknown>): BulkRequestReading {
  const { count, minValue, maxValue } = fields;
  if (!isIntegerIn(count, 1, TICKET_LIMITS.maxPerBulkCall))
    return fail(`count must be an integer from 1 to ${TICKET_LIMITS.maxPerBulkCall}`);
  if (!isIntegerIn(minValue, 1, TICKET_LIMITS.maxValue))
    return fail(`minValue must be an integer from 1 to ${TICKET_LIMITS.maxValue}`);
  if (!isIntegerIn(maxValue, 1, TICKET_LIMITS.maxValue))
    return fail(`maxValue must be an integer from 1 to ${TICKET_LIMITS.maxValue}`);
  if (minValue > maxValue) return fail('minValue must not exceed maxValue');
  return { ok: true, request: { kind: 'random', count, minValue, maxValue } };
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

const fail = (message: string): BulkRequestReading => ({ ok: false, message });
