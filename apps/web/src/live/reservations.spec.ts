import type { EventLimitsView, ReservationView } from '@tickets/protocol';
import { describe, expect, it } from 'vitest';
import {
  allowanceOf,
  applyReservationNotice,
  blockingLimit,
  formatCountdown,
  formatDuration,
  groupMine,
  holdSecondsLeft,
  limitMessage,
  noticeText,
  RESERVATION_STATUS_LABELS,
  RESERVATION_STATUSES,
} from './reservations';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function reservation(id: number, patch: Partial<ReservationView> = {}): ReservationView {
  return {
    id,
    eventId: 1,
    level: id * 10,
    ticketIds: [id],
    ticketCount: 1,
    userId: 7,
    status: 'held',
    expiresAt: new Date(T0 + 60_000).toISOString(),
    createdAt: new Date(T0).toISOString(),
    settledAt: null,
    ...patch,
  };
}

function limitsView(patch: Partial<EventLimitsView['limits']>, holds = 0, tickets = 0): EventLimitsView {
  return {
    eventId: 1,
    limits: { holdsPerUser: 1, ticketsPerUser: null, ticketsPerReservation: null, ...patch },
    holds,
    tickets,
  };
}

describe('reservation statuses', () => {
  it('names every status, distinctly', () => {
    const labels = RESERVATION_STATUSES.map((status) => RESERVATION_STATUS_LABELS[status]);
    expect(RESERVATION_STATUSES).toHaveLength(5);
    expect(new Set(labels).size).toBe(5);
  });
});

describe('hold countdown', () => {
  it('counts whole seconds down to 0 and never below', () => {
    const hold = reservation(1);
    expect(holdSecondsLeft(hold, T0)).toBe(60);
    expect(holdSecondsLeft(hold, T0 + 59_001)).toBe(1);
    expect(holdSecondsLeft(hold, T0 + 60_000)).toBe(0);
    expect(holdSecondsLeft(hold, T0 + 3_600_000)).toBe(0);
  });

  it('has no countdown for anything not on hold', () => {
    expect(holdSecondsLeft(reservation(1, { status: 'confirmed', expiresAt: null }), T0)).toBeNull();
    expect(holdSecondsLeft(reservation(1, { status: 'expired' }), T0)).toBeNull();
  });

  it('formats minutes and seconds, and hours past an hour', () => {
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(65)).toBe('1:05');
    expect(formatCountdown(3725)).toBe('1:02:05');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(5430)).toBe('1 h 30 min 30 s');
  });
});

describe('the user list', () => {
  it('groups holds (soonest deadline first), confirmed, and past (newest first)', () => {
    const late = reservation(1, { expiresAt: new Date(T0 + 90_000).toISOString() });
    const soon = reservation(2, { expiresAt: new Date(T0 + 30_000).toISOString() });
    const confirmed = reservation(3, { status: 'confirmed', expiresAt: null });
    const expired = reservation(4, { status: 'expired', settledAt: new Date(T0 + 1000).toISOString() });
    const released = reservation(5, { status: 'released', settledAt: new Date(T0 + 2000).toISOString() });
    const groups = groupMine([late, soon, confirmed, expired, released]);
    expect(groups.held.map((r) => r.id)).toEqual([2, 1]);
    expect(groups.confirmed.map((r) => r.id)).toEqual([3]);
    expect(groups.past.map((r) => r.id)).toEqual([5, 4]);
  });

  it('applies a notice: replaces the reservation, or adds one it did not know', () => {
    const mine = [reservation(1), reservation(2)];
    const expired = applyReservationNotice(mine, {
      reason: 'expired',
      reservation: reservation(2, { status: 'expired' }),
    });
    expect(expired.map((r) => [r.id, r.status])).toEqual([
      [1, 'held'],
      [2, 'expired'],
    ]);
    const added = applyReservationNotice(mine, { reason: 'expiring', reservation: reservation(3) });
    expect(added.map((r) => r.id)).toEqual([3, 1, 2]);
  });

  it('says each notice in words', () => {
    const hold = reservation(4);
    expect(noticeText({ reason: 'expiring', reservation: hold })).toMatch(/runs out in less than a minute/);
    expect(noticeText({ reason: 'expired', reservation: hold })).toMatch(/ran out.*back on sale/);
    expect(noticeText({ reason: 'released-by-admin', reservation: hold })).toBe(
      'An admin released your reservation 4 (level 40).',
    );
    expect(noticeText({ reason: 'event-deleted', reservation: hold })).toMatch(/event was deleted/);
  });
});

describe('limits', () => {
  it('blocks nothing without ticket limits while holds are left', () => {
    const allowance = allowanceOf(limitsView({ holdsPerUser: 2 }, 1, 50));
    expect(allowance).toEqual({ maxTickets: null, maxTicketsBy: null, holdsFull: false });
    expect(blockingLimit(1_000_000, allowance)).toBeNull();
  });

  it('blocks every level once the holds are used up', () => {
    const allowance = allowanceOf(limitsView({ holdsPerUser: 1 }, 1, 3));
    expect(blockingLimit(1, allowance)).toBe('holdsPerUser');
  });

  it('marks levels with more tickets than the user has left', () => {
    const allowance = allowanceOf(limitsView({ holdsPerUser: 5, ticketsPerUser: 10 }, 0, 7));
    expect(allowance.maxTickets).toBe(3);
    expect(blockingLimit(3, allowance)).toBeNull();
    expect(blockingLimit(4, allowance)).toBe('ticketsPerUser');
  });

  it('takes the smaller of the per-user remainder and the per-reservation cap, naming it', () => {
    const perReservation = allowanceOf(
      limitsView({ holdsPerUser: 5, ticketsPerUser: 10, ticketsPerReservation: 2 }, 0, 1),
    );
    expect(blockingLimit(3, perReservation)).toBe('ticketsPerReservation');
    const perUser = allowanceOf(
      limitsView({ holdsPerUser: 5, ticketsPerUser: 10, ticketsPerReservation: 4 }, 0, 8),
    );
    expect(blockingLimit(3, perUser)).toBe('ticketsPerUser');
    expect(blockingLimit(2, perUser)).toBeNull();
  });

  it('never goes below zero when the user already has more than the limit', () => {
    const allowance = allowanceOf(limitsView({ holdsPerUser: 5, ticketsPerUser: 4 }, 0, 9));
    expect(allowance.maxTickets).toBe(0);
    expect(blockingLimit(1, allowance)).toBe('ticketsPerUser');
  });

  it('says which limit stopped a reservation, with its value when known', () => {
    expect(limitMessage('ticketsPerReservation', limitsView({ ticketsPerReservation: 4 }))).toMatch(
      /one reservation may take.*\(4\)/,
    );
    expect(limitMessage('holdsPerUser')).toMatch(/confirm or cancel one first/);
    expect(limitMessage(undefined)).toMatch(/limits/);
  });
});
