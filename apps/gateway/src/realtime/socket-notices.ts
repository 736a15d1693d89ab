import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EventView, ReservationNotice } from '@tickets/protocol';
import { LiveUpdates, type LiveUpdatesSink } from '../common/live-updates';
import { LOBBY_ROOM, userRoom } from './rooms';
import { SocketServer } from './socket-server';

/**
 * What one replica learns and every replica's sockets must hear (a holder's reservation changed,
 * a new event for the lobby), sent through the Socket.IO Redis adapter to the rooms on every
 * replica. Connected to the features' LiveUpdates port at start.
 */
@Injectable()
export class SocketNotices implements LiveUpdatesSink, OnModuleInit {
  constructor(
    private readonly sockets: SocketServer,
    private readonly live: LiveUpdates,
  ) {}

  onModuleInit(): void {
    this.live.attach(this);
  }

  reservationChanged(userId: number, notice: ReservationNotice): void {
    this.sockets.server?.to(userRoom(userId)).emit('reservation:changed', notice);
  }

  eventChanged(event: EventView): void {
    this.sockets.server?.to(LOBBY_ROOM).emit('events:changed', { upserted: [event], removed: [] });
  }
}
