import { DEFAULT_EVENT_LIMITS, type EventView } from '@tickets/protocol';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../test/fakeFetch';
import { fakeServer } from '../test/fakeServer';
import { useEventsStore } from './events';

vi.mock('../realtime/socket', async () => (await import('../test/fakeServer')).fakeServer.module());

function event(id: number, version: number, availableTickets: number): EventView {
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

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

describe('events store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    fakeServer.reset(0);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('loads the list, then keeps it live through the lobby', async () => {
    vi.stubGlobal(
      'fetch',
      fakeFetch({ 'GET /api/events': () => ({ status: 200, body: [event(1, 1, 10)] }) }).fetch,
    );
    fakeServer.lobby = [event(1, 2, 9), event(2, 1, 10)];
    const store = useEventsStore();
    store.enterLobby();
    await settle();
    expect(store.live).toBe(true);
    expect(store.events.map((e) => [e.id, e.availableTickets])).toEqual([
      [1, 9],
      [2, 10],
    ]);
    fakeServer.emit('events:changed', { upserted: [event(2, 2, 4)], removed: [1] });
    expect(store.events.map((e) => [e.id, e.availableTickets])).toEqual([[2, 4]]);
    store.exitLobby();
    fakeServer.emit('events:changed', { upserted: [event(3, 1, 10)], removed: [] });
    expect(store.events.map((e) => e.id)).toEqual([2]);
  });

  it('keeps the REST list, marked not live, when the lobby does not answer', async () => {
    vi.stubGlobal(
      'fetch',
      fakeFetch({ 'GET /api/events': () => ({ status: 200, body: [event(1, 1, 10)] }) }).fetch,
    );
    fakeServer.lobby = null;
    const store = useEventsStore();
    store.enterLobby();
    await settle();
    expect(store.live).toBe(false);
    expect(store.events.map((e) => e.id)).toEqual([1]);
  });

  it('says why the list could not be loaded', async () => {
    vi.stubGlobal(
      'fetch',
      fakeFetch({
        'GET /api/events': () => ({
          status: 503,
          body: { statusCode: 503, code: 'UNAVAILABLE', message: 'Database down' },
        }),
      }).fetch,
    );
    const store = useEventsStore();
    await store.load();
    expect(store.error).toBe('Database down');
  });

  it('deletes with force only when asked, and drops the event from the list', async () => {
    const server = fakeFetch({
      'GET /api/events': () => ({ status: 200, body: [event(1, 1, 10), event(2, 1, 10)] }),
      'DELETE /api/events/1': () => ({ status: 204 }),
    });
    vi.stubGlobal('fetch', server.fetch);
    const store = useEventsStore();
    await store.load();
    await store.remove(1, true);
    expect(server.calls.at(-1)?.url).toBe('/api/events/1?force=true');
    expect(store.events.map((e) => e.id)).toEqual([2]);
  });
});
