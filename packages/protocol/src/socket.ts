/**
 * Socket.IO contract (default namespace, path `/socket.io`). Both the gateway's server and
 * every client type their sockets with these maps, so an event name or payload cannot drift.
 */
import type { ErrorCode } from './errors';
import type { EventView, LevelCombo, LevelPage, ReservationView } from './rest';

/**
 * The wire version of this contract. A client sends it in the handshake; a server speaking another
 * version refuses the connection with `UPGRADE_REQUIRED`, so a stale client is told to reload
 * instead of misreading messages. Bump it with every change an existing listener would misread.
 */
export const PROTOCOL_VERSION = 3;

/** What a client sends as `auth` in the Socket.IO handshake. */
export interface SocketAuth {
  token: string;
  protocolVersion: number;
}

/** A failed message's answer; `retryAfterSeconds` with RATE_LIMITED. */
export interface AckError {
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
  limit?: 'holdsPerUser' | 'ticketsPerUser' | 'ticketsPerReservation';
}

export interface ConfirmReservationRequest {
  reservationId: number;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
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
  /** Start at the first level ≥ this one instead of at `offset` (see LevelsQuery.fromLevel). */
  fromLevel?: number;
}

export interface LevelComboRequest {
  eventId: number;
  level: number;
  offset?: number;
  limit?: number;
}

export interface SocketReserveRequest {
  eventId: number;
  level: number;
  requestId: string;
}

/** Why a change happened: tickets `reserved` (held), returned by a cancel or an admin (`released`) or by a hold that ran out (`expired`), created, deleted, or the event deleted. */
export type InventoryCause =
  'reserved' | 'released' | 'expired' | 'ticket-created' | 'ticket-deleted' | 'event-deleted';

/**
 * One committed change. Every change reaches each socket in the event's room exactly once, in
 * version order, inside an `InventoryChangedMessage`.
 */
export interface InventoryChanged {
  eventId: number;
  version: number;
  cause: InventoryCause;
  /** The tickets the change touched, ascending; at most CHANGE_MAX_TICKET_IDS of them (`ticketCount` says how many in all). */
  ticketIds: number[];
  ticketCount: number;
  levelCount: number;
  totalTickets: number;
  availableTickets: number;
  /** When the change committed, epoch milliseconds of the committing replica's clock. */
  committedAt: number;
}

/**
 * One or more consecutive changes of one event, in version order (the server coalesces changes
 * that come faster than its broadcast interval into one message).
 */
export interface InventoryChangedMessage {
  eventId: number;
  changes: InventoryChanged[];
}

/**
 * Lobby update: events created or whose counts changed (`upserted`, the newest state each replica
 * knows; keep the one with the highest `version` per event) and events deleted (`removed`).
 */
export interface EventsChangedMessage {
  upserted: EventView[];
  removed: number[];
}

/** Why a user's reservation changed without them asking. */
/**
 * `expiring`: the hold runs out within HOLD_WARNING_SECONDS (sent once); `expired`: it ran out and
 * its tickets are back on sale.
 */
export type ReservationNoticeReason = 'released-by-admin' | 'event-deleted' | 'expiring' | 'expired';

/** Sent to every socket of the reservation's holder, on whichever replica it is connected. */
export interface ReservationNotice {
  reason: ReservationNoticeReason;
  reservation: ReservationView;
}

/**
 * Why the server ended a socket's session (and disconnects it right after): the token expired,
 * the user signed out (this token, or everywhere), changed their password, lost their account,
 * or their role changed. Reconnect with a fresh token (sign in again unless one is at hand).
 */
export interface SessionEndedMessage {
  code: ErrorCode;
  message: string;
}

/** Client → server messages; every one takes an acknowledgement callback. */
export interface ClientToServerEvents {
  'event:join': (request: JoinEventRequest, ack: AckCallback<EventSnapshot>) => void;
  'event:leave': (request: LeaveEventRequest, ack: AckCallback<{ eventId: number }>) => void;
  'levels:page': (request: LevelsPageRequest, ack: AckCallback<LevelPage>) => void;
  'levels:combo': (request: LevelComboRequest, ack: AckCallback<LevelCombo>) => void;
  reserve: (request: SocketReserveRequest, ack: AckCallback<ReservationView>) => void;
  /** Confirms a hold of the caller's before it runs out (HOLD_EXPIRED after). */
  'reservation:confirm': (request: ConfirmReservationRequest, ack: AckCallback<ReservationView>) => void;
  /** Subscribe to `events:changed`; answers the current list of events. */
  'lobby:join': (request: Record<string, never>, ack: AckCallback<EventView[]>) => void;
  'lobby:leave': (request: Record<string, never>, ack: AckCallback<Record<string, never>>) => void;
}

/** Server → client messages. */
export interface ServerToClientEvents {
  /** One or more consecutive changes of one event, in version order. */
  'inventory:changed': (message: InventoryChangedMessage) => void;
  /** To sockets in the lobby (`lobby:join`): event counts, coalesced to about one message per second. */
  'events:changed': (message: EventsChangedMessage) => void;
  /** To the holder's sockets: a reservation of theirs changed without them asking. */
  'reservation:changed': (notice: ReservationNotice) => void;
  /** The socket's session ended; it is disconnected right after this message. */
  'session:ended': (message: SessionEndedMessage) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/** Socket payload limits shared by server validation and clients. */
export const LEVELS_PAGE_MAX_LIMIT = 500;
/** A combination is shown this many tickets at a time at most (a level may take 100,000). */
export const COMBO_PAGE_MAX_LIMIT = 1000;
export const LEVEL_ROW_MAX_TICKET_IDS = 20;
/** A change names at most this many of its tickets (a reservation of 100,000 would otherwise send 100,000 ids to every socket). */
export const CHANGE_MAX_TICKET_IDS = 1000;
