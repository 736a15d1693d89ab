import {
  DEFAULT_EVENT_LIMITS,
  type EventView,
  type InventoryChanged,
  type LevelRow,
} from '@tickets/protocol';
import { describe, expect, it } from 'vitest';
import { applyEventsChanged, applyInventoryMessage, changedLevels, countsFromSnapshot } from './inventory';

const counts = countsFromSnapshot({
  eventId: 1,
  version: 10,
  levelCount: 100,
  totalTickets: 50,
  availableTickets: 40,
});

function change(version: number, extra: Partial<InventoryChanged> = {}): InventoryChanged {
  return {
    eventId: 1,
    version,
    cause: 'reserved',
    ticketIds: [version],
    ticketCount: 1,
    levelCount: 100 - version,
    totalTickets: 50,
    availableTickets: 40 - version,
    committedAt: 1_000 + version,
    ...extra,
  };
}

describe('applyInventoryMessage', () => {
  it('applies consecutive changes and keeps the newest counters', () => {
    const outcome = applyInventoryMessage(counts, { eventId: 1, changes: [change(11), change(12)] });
    expect(outcome.appliedVersions).toEqual([11, 12]);
    expect(outcome.counts).toMatchObject({ version: 12, levelCount: 88, availableTickets: 28 });
    expect(outcome.gap).toBe(false);
    expect(outcome.commits).toEqual([
      { version: 11, committedAt: 1_011 },
      { version: 12, committedAt: 1_012 },
    ]);
  });

  it('skips changes at or below the current version (already in the snapshot)', () => {
    const outcome = applyInventoryMessage(counts, {
      eventId: 1,
      changes: [change(9), change(10), change(11)],
    });
    expect(outcome.appliedVersions).toEqual([11]);
    expect(outcome.counts.version).toBe(11);
  });

  it('leaves the state alone for duplicates and for other events', () => {
    expect(applyInventoryMessage(counts, { eventId: 1, changes: [change(10)] }).counts).toBe(counts);
    expect(applyInventoryMessage(counts, { eventId: 2, changes: [change(11, { eventId: 2 })] }).counts).toBe(
      counts,
    );
  });

  it('reports a gap when versions are missing', () => {
    const outcome = applyInventoryMessage(counts, { eventId: 1, changes: [change(13)] });
    expect(outcome.gap).toBe(true);
    expect(outcome.counts.version).toBe(13);
  });

  it('marks the event deleted', () => {
    const outcome = applyInventoryMessage(counts, {
      eventId: 1,
      changes: [change(11, { cause: 'event-deleted' })],
    });
    expect(outcome.counts.deleted).toBe(true);
  });
});

function event(id: number, version: number, availableTickets = 10): EventView {
  return {
    id,
    name: `E${id}`,
    totalTickets: 10,
    availableTickets,
    levelCount: 5,
    activeReservations: 0,
    holdTtlSeconds: 600,
    limits: DEFAULT_EVENT_LIMITS,
    version,
    createdAt: '',
  };
}

describe('applyEventsChanged', () => {
  it('adds, replaces by newer version and removes, ordered by id', () => {
    const next = applyEventsChanged([event(2, 1), event(1, 5)], {
      upserted: [event(3, 1), event(2, 2, 7)],
      removed: [1],
    });
    expect(next.map((e) => [e.id, e.version, e.availableTickets])).toEqual([
      [2, 2, 7],
      [3, 1, 10],
    ]);
  });

  it('keeps the newer state when a replica sends an older one', () => {
    const next = applyEventsChanged([event(1, 5, 3)], { upserted: [event(1, 4, 9)], removed: [] });
    expect(next[0].availableTickets).toBe(3);
  });
});

const row = (level: number, ids: number[] = [level]): LevelRow => ({
  level,
  ticketCount: ids.length,
  ticketIds: ids,
  ticketLabels: ids.map((id) => `T${id}`),
});

describe('changedLevels', () => {
  it('finds new levels and changed combinations within the shared range', () => {
    const before = [row(1), row(2), row(3), row(5)];
    const after = [row(1), row(2, [7, 8]), row(4), row(5), row(9)];
    expect([...changedLevels(before, after)].sort()).toEqual([2, 4]);
  });

  it('highlights nothing when the window moved elsewhere', () => {
    expect(changedLevels([row(1), row(2)], [row(100), row(101)]).size).toBe(0);
    expect(changedLevels([], [row(1)]).size).toBe(0);
  });
});
