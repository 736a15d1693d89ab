/**
 * The one Socket.IO connection of the app, kept here and never in store state. Stores call the
 * typed request functions and subscribe to server messages; the connection store receives the
 * status through the hooks given to `openSocket`.
 */
import {
  PROTOCOL_VERSION,
  isErrorCode,
  type Ack,
  type ClientToServerEvents,
  type ConfirmReservationRequest,
  type ErrorCode,
  type EventSnapshot,
  type EventView,
  type JoinEventRequest,
  type LevelCombo,
  type LevelComboRequest,
  type LevelPage,
  type LevelsPageRequest,
  type ReservationView,
  type ServerEventName,
  type ServerToClientEvents,
  type SocketAuth,
  type SocketReserveRequest,
} from '@tickets/protocol';
import { io, type Socket } from 'socket.io-client';
import { SocketRequestError } from './requestError';

type TicketsSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type SocketStatus = 'offline' | 'connecting' | 'live' | 'reconnecting';

export interface SocketHooks {
  status(status: SocketStatus): void;
  /** Every successful (re)connection; listeners re-join their rooms here. */
  connected(): void;
  /** The server refused the token: the session is over. */
  unauthenticated(message: string): void;
  /** The server speaks another protocol version: this page must be reloaded. */
  upgradeRequired(message: string): void;
  /**
   * The server ended the socket's session (`session:ended`) and disconnected it; `token` is the
   * one the socket was signed in with. The socket stays down until `reconnectSocket()`.
   */
  sessionEnded(message: string, token: string): void;
}

export { SocketRequestError };

const DEFAULT_TIMEOUT_MS = 8000;

let socket: TicketsSocket | null = null;
/** Set by `reconnectSocket()` while the ended socket is still connected. */
let reconnectWhenEnded = false;
const connectedListeners = new Set<() => void>();
type Payload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
type Listeners = { [E in ServerEventName]: Set<(payload: Payload<E>) => void> };
/** Subscribers by server message; they outlive any one socket (a new sign-in makes a new one). */
const serverListeners: Listeners = {
  'inventory:changed': new Set(),
  'events:changed': new Set(),
  'reservation:changed': new Set(),
  'session:ended': new Set(),
};

function dispatch<E extends ServerEventName>(event: E, payload: Payload<E>): void {
  for (const listener of serverListeners[event]) listener(payload);
}

function refusal(error: Error): { code: ErrorCode; message: string } | null {
  const data: unknown = 'data' in error ? error.data : undefined;
  if (typeof data !== 'object' || data === null || !('code' in data) || !isErrorCode(data.code)) return null;
  const message = 'message' in data && typeof data.message === 'string' ? data.message : error.message;
  return { code: data.code, message };
}

/** Connects (once) with the token the session holds at each attempt. */
export function openSocket(token: () => string | null, hooks: SocketHooks): void {
  if (socket) return;
  hooks.status('connecting');
  /** The token of the latest handshake: the one a `session:ended` is about. */
  let sentToken = '';
  const created: TicketsSocket = io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: (send: (auth: SocketAuth) => void) => {
      sentToken = token() ?? '';
      send({ token: sentToken, protocolVersion: PROTOCOL_VERSION });
    },
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  socket = created;
  created.on('connect', () => {
    hooks.status('live');
    hooks.connected();
    for (const listener of connectedListeners) listener();
  });
  created.on('disconnect', (reason) => {
    hooks.status(reason === 'io client disconnect' ? 'offline' : 'reconnecting');
    if (reason === 'io server disconnect' && reconnectWhenEnded) {
      reconnectWhenEnded = false;
      created.connect();
    }
  });
  created.on('connect_error', (error) => {
    const refused = refusal(error);
    if (refused?.code === 'UNAUTHENTICATED') return hooks.unauthenticated(refused.message);
    if (refused?.code === 'UPGRADE_REQUIRED') return hooks.upgradeRequired(refused.message);
    // A refusal from the server's middleware stops the client; anything else is retried by it.
    if (created.active) hooks.status(navigator.onLine === false ? 'offline' : 'reconnecting');
    else hooks.status('offline');
  });
  created.on('inventory:changed', (message) => dispatch('inventory:changed', message));
  created.on('events:changed', (message) => dispatch('events:changed', message));
  created.on('reservation:changed', (notice) => dispatch('reservation:changed', notice));
  // The server disconnects right after this; Socket.IO does not reconnect after a server-side
  // disconnect, so a dead token is never retried: the hook reconnects only with a fresh one.
  created.on('session:ended', (message) => {
    dispatch('session:ended', message);
    hooks.sessionEnded(message.message, sentToken);
  });
}

/**
 * Connects again after `session:ended`, with the token the session holds now. The decision may
 * come before the server's disconnect has arrived (the fresh token was already at hand): then the
 * socket reconnects as soon as that disconnect does.
 */
export function reconnectSocket(): void {
  if (!socket) return;
  if (socket.connected) reconnectWhenEnded = true;
  else socket.connect();
}

export function closeSocket(): void {
  reconnectWhenEnded = false;
  socket?.disconnect();
  socket?.removeAllListeners();
  socket = null;
}

export function isSocketConnected(): boolean {
  return socket?.connected ?? false;
}

/** Called after every (re)connection; returns the unsubscribe function. */
export function onConnected(listener: () => void): () => void {
  connectedListeners.add(listener);
  return () => connectedListeners.delete(listener);
}

/** Subscribes to a server message, across reconnections and socket replacements. */
export function onServer<E extends ServerEventName>(
  event: E,
  listener: (payload: Payload<E>) => void,
): () => void {
  const listeners: Set<(payload: Payload<E>) => void> = serverListeners[event];
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends (
  response: Ack<infer T>,
) => void
  ? T
  : never;

function request<E extends keyof ClientToServerEvents>(
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<AckData<E>> {
  const current = socket;
  if (!current?.connected)
    return Promise.reject(new SocketRequestError('UNAVAILABLE', 'Not connected to the server.'));
  // socket.io-client cannot narrow its emit signature through the generic `E`; the public
  // functions below are typed per message, so the loosening stays inside this function.
  const timed = current.timeout(timeoutMs);
  const emit = timed.emit as (
    event: E,
    payload: unknown,
    ack: (error: Error | null, response: Ack<AckData<E>>) => void,
  ) => void;
  return new Promise((resolve, reject) => {
    emit.call(timed, event, payload, (error, response) => {
      if (error) return reject(new SocketRequestError('UNAVAILABLE', 'The server did not answer in time.'));
      if (response.ok) resolve(response.data);
      else {
        const { code, message, retryAfterSeconds, limit } = response.error;
        reject(new SocketRequestError(code, message, retryAfterSeconds, limit));
      }
    });
  });
}

export const joinEvent = (body: JoinEventRequest): Promise<EventSnapshot> => request('event:join', body);
export const leaveEvent = (eventId: number): Promise<{ eventId: number }> =>
  request('event:leave', { eventId });
export const fetchLevelsPage = (body: LevelsPageRequest): Promise<LevelPage> => request('levels:page', body);
export const fetchLevelCombo = (body: LevelComboRequest): Promise<LevelCombo> =>
  request('levels:combo', body);
export const reserveLevel = (body: SocketReserveRequest): Promise<ReservationView> =>
  request('reserve', body, 15_000);
export const confirmReservation = (body: ConfirmReservationRequest): Promise<ReservationView> =>
  request('reservation:confirm', body, 15_000);
export const joinLobby = (): Promise<EventView[]> => request('lobby:join', {});
export const leaveLobby = (): Promise<Record<string, never>> => request('lobby:leave', {});
