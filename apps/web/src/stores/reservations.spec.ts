import type { EventLimitsView, ReservationDetail } from '@tickets/protocol';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi, afterEach } from 'vitest';
import { errorMessage } from '../api/http';
import { SocketRequestError } from '../realtime/requestError';
import { setClock, systemClock } from '../lib/clock';
import { FakeClock } from '../test/fakeClock';
import { fakeFetch } from '../test/fakeFetch';
import { fakeServer } from '../test/fakeServer';
import { useNoticesStore } from './notices';
import { SHOWN_TICKETS, useReservationsStore } from './reservations';

vi.mock('../realtime/socket', async () => (await import('../test/fakeServer')).fakeServer.module());

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('reservations store', () => {
  let http: ReturnType<typeof fakeFetch>;
  let clock: FakeClock;
  let limitsAnswer: EventLimitsView;

  beforeEach(() => {
    clock = new FakeClock(T0);
    setClock(clock);
    setActivePinia(createPinia());
    fakeServer.reset(100);
    fakeServer.holdStartedAt = T0;
    fakeServer.holdTtlMs = 120_000;
    limitsAnswer = {
      eventId: 1,
      limits: { holdsPerUser: 2, ticketsPerUser: 5, ticketsPerReservation: null },
      holds: 0,
      tickets: 0,
    };
    http = fakeFetch({
      'GET /api/events/1/limits': () => ({ status: 200, body: limitsAnswer }),
      'POST /api/reservations/1/confirm': () => ({
        status: 409,
        body: { statusCode: 409, code: 'HOLD_EXPIRED', message: 'The hold ran out' },
      }),
      'GET /api/reservations/1': () => ({
        status: 200,
        body: {
          id: 1,
          eventId: 1,
          level: 5,
          ticketIds: [5],
          ticketCount: 1,
          userId: 7,
          status: 'held',
          expiresAt: null,
          createdAt: '',
          settledAt: null,
          ticketsOffset: 0,
          tickets: [{ id: 5, label: 'A5', value: 5 }],
        } satisfies ReservationDetail,
      }),
    });
    vi.stubGlobal('fetch', http.fetch);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setClock(systemClock);
  });

  it('reserves once for a double click, with the tickets in the result', async () => {
    const store = useReservationsStore();
    const [first, second] = await Promise.all([store.reserve(1, 5), store.reserve(1, 5)]);
    expect(fakeServer.reserveRequests).toHaveLength(1);
    expect(second.state).toBe('pending');
    expect(first).toMatchObject({ state: 'done', tickets: [{ id: 5, label: 'A5', value: 5 }] });
    // Only the tickets the card shows are read (a reservation may hold 100,000).
    expect(http.calls.map((call) => call.url)).toEqual([`/api/reservations/1?limit=${SHOWN_TICKETS}`]);
    expect(store.mine.map((reservation) => reservation.id)).toEqual([1]);
  });

  it('retries an unanswered attempt with the same requestId', async () => {
    const store = useReservationsStore();
    fakeServer.reserveFailures.push(
      new SocketRequestError('UNAVAILABLE', 'The server did not answer in time.'),
    );
    const failed = await store.reserve(1, 5);
    expect(failed).toMatchObject({ state: 'failed', retryable: true });
    const retried = await store.reserve(1, 5);
    expect(retried.state).toBe('done');
    const [firstId, secondId] = fakeServer.reserveRequests.map((request) => request.requestId);
    expect(secondId).toBe(firstId);
  });

  it('says a vanished level plainly and asks for a refresh', async () => {
    const store = useReservationsStore();
    fakeServer.reserveFailures.push(
      new SocketRequestError('LEVEL_UNAVAILABLE', 'Level 5 is no longer available'),
    );
    const failed = await store.reserve(1, 5);
    expect(failed).toMatchObject({ state: 'failed', levelGone: true, retryable: false });
    expect(failed.message).toMatch(/no longer available/);
    await store.reserve(1, 5);
    const [firstId, secondId] = fakeServer.reserveRequests.map((request) => request.requestId);
    expect(secondId).not.toBe(firstId);
  });

  it('tells the holder live when an admin releases their reservation', async () => {
    const store = useReservationsStore();
    const done = await store.reserve(1, 5);
    const reservation = done.reservation;
    if (!reservation) throw new Error('no reservation');
    fakeServer.emit('reservation:changed', {
      reason: 'released-by-admin',
      reservation: { ...reservation, status: 'released' },
    });
    expect(store.mine[0].status).toBe('released');
    expect(useNoticesStore().notices.map((notice) => notice.text)).toEqual([
      `An admin released your reservation ${reservation.id} (level 5).`,
    ]);
  });

  it('counts a hold down on the injected clock, and ticks only while something is on hold', async () => {
    const store = useReservationsStore();
    expect(clock.running).toBe(0);
    const { reservation } = await store.reserve(1, 5);
    if (!reservation) throw new Error('no reservation');
    expect(store.groups.held.map((r) => r.id)).toEqual([reservation.id]);
    expect(clock.running).toBe(1);
    expect(store.secondsLeft(reservation)).toBe(120);
    clock.advance(30_000);
    expect(store.secondsLeft(reservation)).toBe(90);
    clock.advance(200_000);
    expect(store.secondsLeft(reservation)).toBe(0);

    await store.confirm(reservation.id);
    expect(fakeServer.confirmRequests).toEqual([reservation.id]);
    expect(store.mine[0]).toMatchObject({ status: 'confirmed', expiresAt: null });
    expect(store.secondsLeft(store.mine[0])).toBeNull();
    expect(store.groups.confirmed.map((r) => r.id)).toEqual([reservation.id]);
    // Nothing left to count down: the ticker stops.
    await Promise.resolve();
    expect(clock.running).toBe(0);
  });

  it('shows the expiring warning, then moves the hold to expired when the server says so', async () => {
    const store = useReservationsStore();
    const { reservation } = await store.reserve(1, 5);
    if (!reservation) throw new Error('no reservation');
    fakeServer.emit('reservation:changed', { reason: 'expiring', reservation });
    const notices = useNoticesStore();
    expect(notices.notices.at(-1)).toMatchObject({ kind: 'warning' });
    expect(notices.notices.at(-1)?.text).toMatch(/runs out in less than a minute/);
    expect(store.mine[0].status).toBe('held');

    fakeServer.emit('reservation:changed', {
      reason: 'expired',
      reservation: { ...reservation, status: 'expired', settledAt: new Date(T0 + 120_000).toISOString() },
    });
    expect(store.mine[0].status).toBe('expired');
    expect(store.groups.held).toEqual([]);
    expect(store.groups.past.map((r) => r.id)).toEqual([reservation.id]);
    // The attempt card on the event page shows the new state too.
    expect(store.attemptFor(1, 5)?.reservation?.status).toBe('expired');
    expect(notices.notices.at(-1)?.text).toMatch(/back on sale/);
  });

  it('shows a hold that ran out before its confirmation as expired, with the reason in words', async () => {
    const store = useReservationsStore();
    const { reservation } = await store.reserve(1, 5);
    if (!reservation) throw new Error('no reservation');
    fakeServer.confirmFailures.push(new SocketRequestError('HOLD_EXPIRED', 'The hold ran out'));
    const failure = await store.confirm(reservation.id).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SocketRequestError);
    expect(errorMessage(failure)).toMatch(/ran out before it was confirmed/);
    expect(store.mine[0].status).toBe('expired');
    expect(store.confirming.size).toBe(0);
  });

  it('marks levels over the limits the server reports, and re-reads them after a reservation', async () => {
    const store = useReservationsStore();
    await store.loadLimits(1);
    expect(store.blockedBy(1, 5)).toBeNull();
    expect(store.blockedBy(1, 6)).toBe('ticketsPerUser');
    // Another event's levels are not judged by this one's limits.
    expect(store.blockedBy(2, 6)).toBeNull();

    limitsAnswer = { ...limitsAnswer, holds: 1, tickets: 3 };
    await store.reserve(1, 5);
    await vi.waitFor(() => expect(store.blockedBy(1, 3)).toBe('ticketsPerUser'));
    expect(store.blockedBy(1, 2)).toBeNull();

    limitsAnswer = { ...limitsAnswer, holds: 2 };
    fakeServer.reserveFailures.push(
      new SocketRequestError('LIMIT_REACHED', 'limit', undefined, 'holdsPerUser'),
    );
    const failed = await store.reserve(1, 7);
    expect(failed.message).toMatch(/as many holds in this event as it allows \(2\)/);
    await vi.waitFor(() => expect(store.blockedBy(1, 1)).toBe('holdsPerUser'));
  });

  it('does not lose a hold made while the list was being read', async () => {
    const store = useReservationsStore();
    const served: string[] = [];
    const gate: { open?: () => void } = {};
    let heldReservation: unknown = null;
    const list = fakeFetch({
      'GET /api/reservations/mine': () => ({ status: 200, body: heldReservation ? [heldReservation] : [] }),
    });
    vi.stubGlobal('fetch', (...args: Parameters<typeof fetch>) => {
      served.push(String(args[0]));
      // The first read is answered (as of before the hold) only after the hold is made.
      if (served.length === 1)
        return new Promise<Response>((resolve) => (gate.open = () => void list.fetch(...args).then(resolve)));
      return list.fetch(...args);
    });
    const loading = store.loadMine(false);
    const { reservation } = await store.reserve(1, 5);
    heldReservation = reservation;
    gate.open?.();
    await loading;
    expect(served.filter((url) => url === '/api/reservations/mine')).toHaveLength(2);
    expect(store.mine.map((r) => r.id)).toEqual([reservation?.id]);
  });
});
