/**
 * A typed in-memory stand-in for `realtime/socket.ts` in store unit tests: a levels table with a
 * version, the server messages it pushes, and a record of the requests it was sent.
 */
import type {
  EventSnapshot,
  EventView,
  InventoryChanged,
  LevelPage,
  LevelRow,
  LevelsPageRequest,
  ReservationView,
  ServerEventName,
  ServerToClientEvents,
  SocketReserveRequest,
} from '@tickets/protocol';
import type * as SocketModule from '../realtime/socket';
import { SocketRequestError } from '../realtime/requestError';

type Payload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

export class FakeServer {
  eventId = 1;
  version = 1;
  levels: number[] = [];
  pageRequests: LevelsPageRequest[] = [];
  reserveRequests: SocketReserveRequest[] = [];
  /** Makes the next `reserve` calls fail with these codes, in order. */
  reserveFailures: SocketRequestError[] = [];
  confirmRequests: number[] = [];
  /** Makes the next `reservation:confirm` calls fail with these, in order. */
  confirmFailures: SocketRequestError[] = [];
  /** A new hold's deadline (`reserve` answers `expiresAt` this far after `holdStartedAt`). */
  holdTtlMs = 60_000;
  holdStartedAt = 0;
  /** Times `reconnectSocket()` was called. */
  reconnects = 0;
  /** Holds page answers until `release()` (to test replies that arrive late). */
  holdPages = false;
  private held: (() => void)[] = [];
  private listeners = new Map<ServerEventName, Set<(payload: never) => void>>();
  private connectedListeners = new Set<() => void>();
  private nextReservationId = 1;
  /** What the connection store handed to `openSocket`, to play the socket's status changes. */
  hooks: SocketModule.SocketHooks | null = null;
  /** Events `lobby:join` answers with; null makes it fail as a gateway without the lobby would. */
  lobby: EventView[] | null = [];
  private reservationsByRequest = new Map<string, ReservationView>();

  /** Starts over with levels 1..levelCount at version 1, no listeners, no recorded requests. */
  reset(levelCount: number): void {
    this.version = 1;
    this.levels = Array.from({ length: levelCount }, (_, index) => index + 1);
    this.pageRequests = [];
    this.reserveRequests = [];
    this.reserveFailures = [];
    this.confirmRequests = [];
    this.confirmFailures = [];
    this.holdTtlMs = 60_000;
    this.holdStartedAt = 0;
    this.reconnects = 0;
    this.holdPages = false;
    this.held = [];
    this.listeners.clear();
    this.connectedListeners.clear();
    this.reservationsByRequest.clear();
    this.hooks = null;
    this.lobby = [];
  }

  rowOf(level: number): LevelRow {
    return { level, ticketCount: 1 + (level % 3), ticketIds: [level], ticketLabels: [`T${level}`] };
  }

  page(request: LevelsPageRequest): LevelPage {
    const inRange = this.levels.filter(
      (level) => level >= (request.min ?? 1) && level <= (request.max ?? Number.MAX_SAFE_INTEGER),
    );
    // As the gateway: `fromLevel` starts at the first level ≥ it, and the answer's offset says where.
    const fromLevel = request.fromLevel;
    const offset =
      fromLevel === undefined ? request.offset : inRange.filter((level) => level < fromLevel).length;
    const rows = inRange.slice(offset, offset + request.limit).map((level) => this.rowOf(level));
    return {
      eventId: request.eventId,
      version: this.version,
      total: inRange.length,
      offset,
      rows,
    };
  }

  snapshot(): EventSnapshot {
    return {
      eventId: this.eventId,
      version: this.version,
      levelCount: this.levels.length,
      totalTickets: 100,
      availableTickets: 90,
    };
  }

  /** Commits a change: the table's levels become `levels` and the change is pushed to listeners. */
  commit(levels: number[], cause: InventoryChanged['cause'] = 'reserved'): InventoryChanged {
    this.levels = levels;
    this.version += 1;
    const change: InventoryChanged = {
      eventId: this.eventId,
      version: this.version,
      cause,
      ticketIds: [1],
      ticketCount: 1,
      levelCount: levels.length,
      totalTickets: 100,
      availableTickets: 89,
      committedAt: Date.now(),
    };
    this.emit('inventory:changed', { eventId: this.eventId, changes: [change] });
    return change;
  }

  emit<E extends ServerEventName>(event: E, payload: Payload<E>): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (payload: Payload<E>) => void)(payload);
  }

  reconnect(): void {
    for (const listener of this.connectedListeners) listener();
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  /** The module `vi.mock` puts in place of realtime/socket.ts. */
  module(): typeof SocketModule {
    return {
      SocketRequestError,
      openSocket: (_token, hooks) => {
        this.hooks = hooks;
      },
      closeSocket: () => {
        this.hooks = null;
      },
      reconnectSocket: () => {
        this.reconnects += 1;
      },
      isSocketConnected: () => true,
      onConnected: (listener) => {
        this.connectedListeners.add(listener);
        return () => this.connectedListeners.delete(listener);
      },
      onServer: (event, listener) => {
        let set = this.listeners.get(event);
        if (!set) this.listeners.set(event, (set = new Set()));
        set.add(listener as (payload: never) => void);
        return () => void set.delete(listener as (payload: never) => void);
      },
      joinEvent: async (request) => {
        if (request.eventId !== this.eventId) throw new SocketRequestError('NOT_FOUND', 'Event not found');
        return this.snapshot();
      },
      leaveEvent: async (eventId) => ({ eventId }),
      fetchLevelsPage: (request) => {
        this.pageRequests.push(request);
        const answer = this.page(request);
        if (!this.holdPages) return Promise.resolve(answer);
        return new Promise((resolve) => this.held.push(() => resolve(answer)));
      },
      fetchLevelCombo: async (request) => ({
        eventId: request.eventId,
        version: this.version,
        level: request.level,
        ticketCount: 0,
        offset: 0,
        tickets: [],
      }),
      reserveLevel: async (request) => {
        this.reserveRequests.push(request);
        const failure = this.reserveFailures.shift();
        if (failure) throw failure;
        const known = this.reservationsByRequest.get(request.requestId);
        if (known) return known;
        const reservation: ReservationView = {
          id: this.nextReservationId++,
          eventId: request.eventId,
          level: request.level,
          ticketIds: [request.level],
          ticketCount: 1,
          userId: 7,
          status: 'held',
          expiresAt: new Date(this.holdStartedAt + this.holdTtlMs).toISOString(),
          createdAt: new Date(this.holdStartedAt).toISOString(),
          settledAt: null,
        };
        this.reservationsByRequest.set(request.requestId, reservation);
        return reservation;
      },
      confirmReservation: async ({ reservationId }) => {
        this.confirmRequests.push(reservationId);
        const failure = this.confirmFailures.shift();
        if (failure) throw failure;
        const held = [...this.reservationsByRequest.values()].find((known) => known.id === reservationId);
        if (!held) throw new SocketRequestError('NOT_FOUND', 'Reservation not found');
        const confirmed: ReservationView = {
          ...held,
          status: 'confirmed',
          expiresAt: null,
          settledAt: new Date(this.holdStartedAt).toISOString(),
        };
        return confirmed;
      },
      joinLobby: async () => {
        if (!this.lobby) throw new SocketRequestError('UNAVAILABLE', 'The server did not answer in time.');
        return this.lobby;
      },
      leaveLobby: async () => ({}),
    };
  }
}

/** One server per test file: `vi.mock` factories cannot see test-local variables. */
export const fakeServer = new FakeServer();
