import { DEFAULT_EVENT_LIMITS } from '@tickets/protocol';
import {
  cancelledStatus,
  holdDeadline,
  isWholeCombination,
  limitPassed,
  mayCancel,
} from './reservation-rules';

describe('reservation rules', () => {
  it('lets the owner or a manager cancel, nobody else', () => {
    expect(mayCancel({ userId: 1 }, 1, new Set())).toBe(true);
    expect(mayCancel({ userId: 1 }, 2, new Set(['levels:reserve']))).toBe(false);
    expect(mayCancel({ userId: 1 }, 2, new Set(['reservations:manage']))).toBe(true);
    expect([cancelledStatus(true), cancelledStatus(false)]).toEqual(['cancelled', 'released']);
  });

  it('accepts a conditional update only when it flipped the whole combination', () => {
    expect(isWholeCombination(3, 3)).toBe(true);
    expect(isWholeCombination(2, 3)).toBe(false);
    expect(isWholeCombination(undefined, 3)).toBe(false);
    expect(isWholeCombination(0, 0)).toBe(false);
  });

  describe('limitPassed', () => {
    const none = { holds: 0, tickets: 0 };
    it('lets one hold through by default and refuses the second', () => {
      expect(limitPassed(DEFAULT_EVENT_LIMITS, none, 500)).toBeNull();
      expect(limitPassed(DEFAULT_EVENT_LIMITS, { holds: 1, tickets: 3 }, 1)).toBe('holdsPerUser');
      // Confirmed reservations are not holds.
      expect(limitPassed(DEFAULT_EVENT_LIMITS, { holds: 0, tickets: 3 }, 1)).toBeNull();
    });

    it('counts tickets over held and confirmed reservations, up to the limit and not past it', () => {
      const limits = { holdsPerUser: 5, ticketsPerUser: 10, ticketsPerReservation: null };
      expect(limitPassed(limits, { holds: 1, tickets: 7 }, 3)).toBeNull();
      expect(limitPassed(limits, { holds: 1, tickets: 7 }, 4)).toBe('ticketsPerUser');
    });

    it('names the reservation size first: no other reservation could fix that', () => {
      const limits = { holdsPerUser: 1, ticketsPerUser: 2, ticketsPerReservation: 3 };
      expect(limitPassed(limits, { holds: 1, tickets: 2 }, 4)).toBe('ticketsPerReservation');
      expect(limitPassed(limits, { holds: 0, tickets: 0 }, 3)).toBe('ticketsPerUser');
      expect(limitPassed(limits, { holds: 0, tickets: 0 }, 2)).toBeNull();
    });
  });

  it("puts a hold's deadline at the event's own hold time, else the default", () => {
    const deadline = holdDeadline(1_000, null, 600);
    expect(deadline.getTime()).toBe(601_000);
    expect(holdDeadline(1_000, 30, 600).getTime()).toBe(31_000);
  });
});
