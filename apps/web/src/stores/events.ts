import type { CreateEventRequest, EventAudience, EventView, UpdateEventRequest } from '@tickets/protocol';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { api, errorMessage } from '../api/http';
import { applyEventsChanged } from '../live/inventory';
import { joinLobby, leaveLobby, onConnected, onServer } from '../realtime/socket';

/** The events list (kept live through the lobby while a view wants it), and the admin's event actions. */
export const useEventsStore = defineStore('events', () => {
  const events = shallowRef<EventView[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** The lobby subscription answered: counts are live. */
  const live = ref(false);
  /** Connected users per event (admins), by event id. */
  const audience = shallowRef<ReadonlyMap<number, EventAudience>>(new Map());
  const audienceError = ref<string | null>(null);

  let lobbyViewers = 0;
  let unsubscribe: (() => void)[] = [];

  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      events.value = await api<EventView[]>('GET', '/events');
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      loading.value = false;
    }
  }

  async function subscribeLobby(): Promise<void> {
    try {
      events.value = await joinLobby();
      error.value = null;
      live.value = true;
    } catch {
      // Not connected (yet), or a gateway without the lobby: the REST list stands, marked not live.
      live.value = false;
    }
  }

  /** A view showing the list calls this on mount and `leaveLobby` on unmount. */
  function enterLobby(): void {
    lobbyViewers += 1;
    if (lobbyViewers > 1) return;
    unsubscribe = [
      onServer('events:changed', (message) => {
        events.value = applyEventsChanged(events.value, message);
      }),
      onConnected(() => void subscribeLobby()),
    ];
    void load().then(() => subscribeLobby());
  }

  function exitLobby(): void {
    lobbyViewers = Math.max(0, lobbyViewers - 1);
    if (lobbyViewers > 0) return;
    for (const stop of unsubscribe) stop();
    unsubscribe = [];
    if (live.value) void leaveLobby().catch(() => undefined);
    live.value = false;
  }

  function find(eventId: number): EventView | undefined {
    return events.value.find((event) => event.id === eventId);
  }

  async function fetchOne(eventId: number): Promise<EventView> {
    const event = await api<EventView>('GET', `/events/${eventId}`);
    events.value = applyEventsChanged(events.value, { upserted: [event], removed: [] });
    return event;
  }

  async function create(request: CreateEventRequest): Promise<EventView> {
    const created = await api<EventView>('POST', '/events', { body: request });
    events.value = applyEventsChanged(events.value, { upserted: [created], removed: [] });
    return created;
  }

  /** Changes an event's hold time and limits (admins). */
  async function update(eventId: number, request: UpdateEventRequest): Promise<EventView> {
    const updated = await api<EventView>('PATCH', `/events/${eventId}`, { body: request });
    events.value = applyEventsChanged(events.value, { upserted: [updated], removed: [] });
    return updated;
  }

  /** `force` is needed when the event has active reservations (they are released with it). */
  async function remove(eventId: number, force: boolean): Promise<void> {
    await api<void>('DELETE', `/events/${eventId}`, { query: force ? { force: true } : undefined });
    events.value = applyEventsChanged(events.value, { upserted: [], removed: [eventId] });
  }

  async function loadAudience(): Promise<void> {
    try {
      const rows = await api<EventAudience[]>('GET', '/audience');
      audience.value = new Map(rows.map((row) => [row.eventId, row]));
      audienceError.value = null;
    } catch (caught) {
      audienceError.value = errorMessage(caught);
    }
  }

  return {
    events,
    loading,
    error,
    live,
    audience,
    audienceError,
    load,
    enterLobby,
    exitLobby,
    find,
    fetchOne,
    create,
    update,
    remove,
    loadAudience,
  };
});
