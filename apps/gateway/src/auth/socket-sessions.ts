import { Injectable, OnModuleInit } from '@nestjs/common';
import { ErrorCode, type SessionEndedMessage } from '@tickets/protocol';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { toErrorBody } from '../common/error-body';
import { Timers, type ScheduledTask } from '../common/timers';
import { SessionsService, type AuthPrincipal } from './sessions.service';

/** What SocketSessions needs of a socket (a Socket.IO socket has all of it). */
export interface SessionSocket {
  id: string;
  data: { principal: AuthPrincipal };
  emit(event: 'session:ended', message: SessionEndedMessage): unknown;
  disconnect(close?: boolean): unknown;
}

/** setTimeout's longest delay; a later expiry is re-armed when it fires. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Sockets' sessions. A socket opens its session with the handshake token (`open`) and keeps it
 * only as long as REST would accept that token: every message re-checks it (`current`, from
 * AuthGuard), a timer ends it when the token expires, and when a user's sessions may have ended
 * anywhere (log out, new password, role change, account gone; announced over Redis by
 * SessionsService) their sockets here are checked at once. An ended socket gets `session:ended`
 * and is disconnected; the client reconnects with a fresh token.
 */
@Injectable()
export class SocketSessions implements OnModuleInit {
  private readonly byUser = new Map<number, Map<string, { socket: SessionSocket; expiry: ScheduledTask }>>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly timers: Timers,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.sessions.onEnded((userId) => void this.recheckUser(userId));
  }

  /** The principal of a handshake's token; UNAUTHENTICATED when it has none (any more). */
  open(token: unknown): Promise<AuthPrincipal> {
    return this.sessions.resolve(typeof token === 'string' ? token : null);
  }

  /** Starts watching a connected socket's session: its expiry, and announcements about its user. */
  watch(socket: SessionSocket): void {
    const { userId } = socket.data.principal;
    const sockets = this.byUser.get(userId) ?? new Map();
    sockets.set(socket.id, { socket, expiry: this.expiryTimer(socket) });
    this.byUser.set(userId, sockets);
  }

  /** The socket is gone: stop watching it. */
  forget(socket: SessionSocket): void {
    const { userId } = socket.data.principal;
    const sockets = this.byUser.get(userId);
    sockets?.get(socket.id)?.expiry.cancel();
    sockets?.delete(socket.id);
    if (sockets?.size === 0) this.byUser.delete(userId);
  }

  /** The socket's principal as the database knows it now; when its session is over, ends the socket and throws UNAUTHENTICATED. */
  async current(socket: SessionSocket): Promise<AuthPrincipal> {
    try {
      return await this.sessions.recheck(socket.data.principal);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED) this.end(socket, error);
      throw error;
    }
  }

  /** Sockets watched here. */
  get size(): number {
    let count = 0;
    for (const sockets of this.byUser.values()) count += sockets.size;
    return count;
  }

  private async recheckUser(userId: number): Promise<void> {
    for (const { socket } of [...(this.byUser.get(userId)?.values() ?? [])]) {
      try {
        socket.data.principal = await this.current(socket);
      } catch {
        // Ended by current(); an outage (UNAVAILABLE) leaves it to the next message.
      }
    }
  }

  private expiryTimer(socket: SessionSocket): ScheduledTask {
    const delay = socket.data.principal.expiresAt - this.clock.nowMs();
    if (delay > LONGEST_TIMER_MS) {
      return this.timers.after(LONGEST_TIMER_MS, () => {
        const entry = this.byUser.get(socket.data.principal.userId)?.get(socket.id);
        if (entry) entry.expiry = this.expiryTimer(socket);
      });
    }
    return this.timers.after(Math.max(0, delay), () =>
      this.end(socket, new AppError(ErrorCode.UNAUTHENTICATED, 'Your session expired; sign in again')),
    );
  }

  private end(socket: SessionSocket, error: AppError): void {
    this.forget(socket);
    const body = toErrorBody(error);
    socket.emit('session:ended', { code: body.code, message: body.message });
    socket.disconnect(true);
  }
}
