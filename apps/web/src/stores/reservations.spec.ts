import type { ReservationDetail } from '@tickets/protocol';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi, afterEach } from 'vitest';
import { SocketRequestError } from '../realtime/requestError';
import { fakeFetch } from '../test/fakeFetch';
import { fakeServer } from '../test/fakeServer';
import { useNoticesStore } from './notices';
import { SHOWN_TICKETS, useReservationsStore } from './reservations';

vi.mock('../realtime/socket', async () => (await import('../test/fakeServer')).fakeServer.module());

describe('reservations store', () => {
  let http: ReturnType<typeof fakeFetch>;

  beforeEach(() => {
    setActivePinia(createPinia());
    fakeServer.reset(100);
    http = fakeFetch({
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
  afterEach(() => vi.unstubAllGlobals());

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
});
