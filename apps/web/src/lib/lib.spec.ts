import { describe, expect, it } from 'vitest';
import { jwtExpiresAt } from './jwt';
import { bulkRequests, bulkSize, parseTicketList, rowTicketsText } from './tickets';
import { fakeJwt } from '../test/fakeJwt';

describe('jwtExpiresAt', () => {
  it('reads exp as epoch milliseconds', () => {
    expect(jwtExpiresAt(fakeJwt({ sub: 1, exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
  });

  it('answers null for tokens without exp or that cannot be read', () => {
    expect(jwtExpiresAt(fakeJwt({ sub: 1 }))).toBeNull();
    expect(jwtExpiresAt('not-a-token')).toBeNull();
    expect(jwtExpiresAt('a.%%%.c')).toBeNull();
  });
});

describe('parseTicketList', () => {
  it('reads values and label, value lines, skipping blanks', () => {
    expect(parseTicketList('5\n\nVIP row A, 12\nB\t3\n')).toEqual({
      ok: true,
      tickets: [{ value: 5 }, { label: 'VIP row A', value: 12 }, { label: 'B', value: 3 }],
    });
  });

  it('names the first bad line', () => {
    const parsed = parseTicketList('5\nx, 0\n7');
    expect(parsed).toMatchObject({ ok: false, line: 2 });
    expect(parseTicketList('12.5')).toMatchObject({ ok: false, line: 1 });
  });
});

describe('bulkRequests', () => {
  it('splits a large random batch into calls of at most a chunk', () => {
    const requests = bulkRequests({ count: 25_000, minValue: 1, maxValue: 9 }, 10_000);
    expect(requests.map(bulkSize)).toEqual([10_000, 10_000, 5_000]);
    expect(requests[2]).toEqual({ count: 5_000, minValue: 1, maxValue: 9 });
  });

  it('splits a list keeping every ticket once, in order', () => {
    const tickets = Array.from({ length: 7 }, (_, index) => ({ value: index + 1 }));
    const requests = bulkRequests({ tickets }, 3);
    expect(requests.map(bulkSize)).toEqual([3, 3, 1]);
    expect(requests.flatMap((request) => ('tickets' in request ? request.tickets : []))).toEqual(tickets);
  });
});

describe('rowTicketsText', () => {
  it('lists the labels in order, then how many more tickets the level takes', () => {
    const ids = Array.from({ length: 20 }, (_, index) => index + 101);
    const text = rowTicketsText({
      level: 5000,
      ticketCount: 1234,
      ticketIds: ids,
      ticketLabels: ids.map((id) => `Seat ${id}`),
    });
    expect(text.startsWith('Seat 101, Seat 102, ')).toBe(true);
    expect(text.endsWith('Seat 120 +1,214')).toBe(true);
  });

  it('shows every ticket of a small level, and the id of one without a label', () => {
    expect(rowTicketsText({ level: 9, ticketCount: 2, ticketIds: [4, 5], ticketLabels: ['A4', ''] })).toBe(
      'A4, #5',
    );
  });
});
