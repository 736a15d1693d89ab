import { Injectable } from '@nestjs/common';
import type { ClientToServerEvents, ServerToClientEvents } from '@tickets/protocol';
import type { Server, Socket } from 'socket.io';
import type { AuthPrincipal } from '../auth/sessions.service';
import type { ReplicaAudience } from './audience';

export interface SocketData {
  principal: AuthPrincipal;
}

/** Messages between replicas (Socket.IO's serverSideEmit, through the Redis adapter). */
export interface InterServerEvents {
  /** Each other replica answers who is connected to which event there. */
  audience: (answer: (audience: ReplicaAudience) => void) => void;
}

export type TicketsServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type TicketsSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The replica's Socket.IO server, for the services that emit outside a message handler. Set by RealtimeGateway at start. */
@Injectable()
export class SocketServer {
  private current: TicketsServer | null = null;

  attach(server: TicketsServer): void {
    this.current = server;
  }

  get server(): TicketsServer | null {
    return this.current;
  }
}
