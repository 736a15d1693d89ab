import { parseCommittedChange, type CommittedChange } from './committed-change';

const valid: CommittedChange = {
  eventId: 3,
  version: 12,
  cause: 'released',
  ticketIds: [4, 9],
  values: [5, 1],
  totalTickets: 10,
  availableTickets: 7,
  committedAt: 1_764_806_400_000,
};

describe('parseCommittedChange', () => {
  it('reads a change as published, with values or without', () => {
    expect(parseCommittedChange(JSON.stringify(valid))).toEqual(valid);
    expect(parseCommittedChange(JSON.stringify({ ...valid, cause: 'reserved', values: null }))).toEqual({
      ...valid,
      cause: 'reserved',
      values: null,
    });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '42'],
    ['null', 'null'],
    ['an unknown cause', JSON.stringify({ ...valid, cause: 'stolen' })],
    ['an event id of 0', JSON.stringify({ ...valid, eventId: 0 })],
    ['a fractional version', JSON.stringify({ ...valid, version: 1.5 })],
    ['a negative count', JSON.stringify({ ...valid, availableTickets: -1 })],
    ['ticket ids that are not ids', JSON.stringify({ ...valid, ticketIds: [4, '9'] })],
    ['values of another length', JSON.stringify({ ...valid, values: [5] })],
    ['a value of 0', JSON.stringify({ ...valid, values: [5, 0] })],
    ['no ticket ids', JSON.stringify({ ...valid, ticketIds: undefined })],
    ['a committedAt that is not a number', JSON.stringify({ ...valid, committedAt: 'now' })],
  ])('refuses %s', (_name, raw) => {
    expect(parseCommittedChange(raw)).toBeNull();
  });
});
