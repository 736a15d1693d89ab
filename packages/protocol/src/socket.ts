/**
 * Socket.IO contract (default namespace, path `/socket.io`). Both the gateway's server and
 * every client type their sockets with these maps, so an event name or payload cannot drift.
 */
import type { ErrorCode } from './errors';
import type { LevelCombo, LevelPage, ReservationView } from './rest';

export interface SocketAuth {
  token: string;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };
export type AckCallback<T> = (response: Ack<T>) => void;

export interface JoinEventRequest {
  eventId: number;
  /** The version the client last saw; informative, the answer always carries the current state. */
  version?: number;
}

export interface EventSnapshot {
  eventId: number;
  version: number;
  levelCount: number;
  totalTickets: number;
  availableTickets: number;
}

export interface LeaveEventRequest {
  eventId: number;
}

export interface LevelsPageRequest {
  eventId: number;
  offset: number;
  limit: number;
  min?: number;
  max?: number;
}

export interface LevelComboRequest {
  eventId: number;
  level: number;
}

export interface SocketReserveRequest {
  eventId: number;
  level: number;
  requestId: string;
}

export type InventoryCause = 'reserved' | 'released' | 'ticket-created' | 'ticket-deleted' | 'event-deleted';

/**
 * One committed change. Every change reaches each socket in the event's room exactly once, in
 * version order; one `inventory:changed` message carries one or more consecutive changes as its
 * arguments (the server coalesces changes that come faster than its broadcast interval).
 */
export interface InventoryChanged {
  eventId: number;
  version: number;
  cause: InventoryCause;
  ticketIds: number[];
  levelCount: number;
  totalTickets: number;
  availableTickets: number;
  /** When the change committed, epoch milliseconds of the committing replica's clock. */
  committedAt: number;
}

/** Client → server messages; every one takes an acknowledgement callback. */
export interface ClientToServerEvents {
  'event:join': (request: JoinEventRequest, ack: AckCallback<EventSnapshot>) => void;
  'event:leave': (request: LeaveEventRequest, ack: AckCallback<{ eventId: number }>) => void;
  'levels:page': (request: LevelsPageRequest, ack: AckCallback<LevelPage>) => void;
  'levels:combo': (request: LevelComboRequest, ack: AckCallback<LevelCombo>) => void;
  reserve: (request: SocketReserveRequest, ack: AckCallback<ReservationView>) => void;
}

/** Server → client messages. */
export interface ServerToClientEvents {
  /** One or more consecutive changes of one event, in version order: `socket.on('inventory:changed', (...changes) => …)`. */
  'inventory:changed': (...changes: InventoryChanged[]) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/** Socket payload limits shared by server validation and clients. */
export const LEVELS_PAGE_MAX_LIMIT = 500;
export const LEVEL_ROW_MAX_TICKET_IDS = 20;
