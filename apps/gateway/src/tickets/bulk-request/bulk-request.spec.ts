import { TICKET_LIMITS } from '@tickets/protocol';
import { labelAt, readBulkRequest } from './bulk-request';

describe('readBulkRequest', () => {
  it('reads explicit tickets into columns, labels packed', () => {
    const reading = readBulkRequest(
      JSON.stringify({ tickets: [{ label: 'A1', value: 3 }, { value: 5 }, { label: 'Row B ✓', value: 1 }] }),
    );
    expect(reading.ok).toBe(true);
    if (!reading.ok || reading.request.kind !== 'list') throw new Error('expected a list');
    const { values, labels } = reading.request;
    expect(Array.from(values)).toEqual([3, 5, 1]);
    expect([0, 1, 2].map((i) => labelAt(labels, i))).toEqual(['A1', undefined, 'Row B ✓']);
  });

  it('reads a random batch', () => {
    expect(readBulkRequest('{"count":10,"minValue":2,"maxValue":9}')).toEqual({
      ok: true,
      request: { kind: 'random', count: 10, minValue: 2, maxValue: 9 },
    });
  });

  it.each([
    ['not JSON', '{"tickets":'],
    ['an array', '[1]'],
    ['both shapes', '{"tickets":[{"value":1}],"count":1,"minValue":1,"maxValue":1}'],
    ['an unknown top-level key', '{"tickets":[{"value":1}],"x":1}'],
    ['a prototype key', '{"tickets":[{"value":1}],"__proto__":{"admin":true}}'],
    ['an empty list', '{"tickets":[]}'],
    ['a fractional value', '{"tickets":[{"value":1.5}]}'],
    ['a value in exponent form out of range', '{"tickets":[{"value":1e7}]}'],
    ['a string value', '{"tickets":[{"value":"3"}]}'],
    ['an unknown ticket key', '{"tickets":[{"value":3,"price":1}]}'],
    ['a constructor key', '{"tickets":[{"value":3,"constructor":1}]}'],
    ['an empty label', '{"tickets":[{"value":3,"label":""}]}'],
    ['a label with NUL', JSON.stringify({ tickets: [{ value: 3, label: 'a\u0000b' }] })],
    [
      'a label with a right-to-left override',
      JSON.stringify({ tickets: [{ value: 3, label: 'abc\u202edef' }] }),
    ],
    [
      'a label too long',
      JSON.stringify({ tickets: [{ value: 3, label: 'x'.repeat(TICKET_LIMITS.maxLabelLength + 1) }] }),
    ],
    ['minValue above maxValue', '{"count":1,"minValue":5,"maxValue":4}'],
    ['a count too large', `{"count":${TICKET_LIMITS.maxPerBulkCall + 1},"minValue":1,"maxValue":4}`],
  ])('refuses %s with a message', (_case, json) => {
    const reading = readBulkRequest(json);
    expect(reading).toEqual({ ok: false, message: expect.any(String) });
  });

  it('refuses one ticket more than a call may create', () => {
    const tickets = Array.from({ length: TICKET_LIMITS.maxPerBulkCall + 1 }, () => ({ value: 1 }));
    expect(readBulkRequest(JSON.stringify({ tickets })).ok).toBe(false);
    expect(readBulkRequest(JSON.stringify({ tickets: tickets.slice(1) })).ok).toBe(true);
  });
});
