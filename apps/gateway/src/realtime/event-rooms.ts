import { Injectable } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';
import { AppConfig } from '../config/app-config';
import { RoomSink } from './fan-out';
import { eventRoom } from './rooms';
import { SocketServer } from './socket-server';

/**
 * The fan-out's sink: an event's room shards on this replica's own sockets. Each replica emits
 * inventory changes only locally (`server.local`): every replica consumes every change itself, so
 * sending them through the Redis adapter would deliver each one once per replica.
 */
@Injectable()
export class EventRooms extends RoomSink {
  constructor(
    private readonly sockets: SocketServer,
    private readonly config: AppConfig,
  ) {
    super();
  }

  deliver(eventId: number, shard: number, changes: readonly InventoryChanged[]): void {
    this.sockets.server?.local.to(eventRoom(eventId, shard)).emit('inventory:changed', { eventId, changes: [...changes] });
  }

  hasListeners(eventId: number): boolean {
    const rooms = this.sockets.server?.of('/').adapter.rooms;
    if (!rooms) return false;
    for (let shard = 0; shard < this.config.broadcastShards; shard++) if ((rooms.get(eventRoom(eventId, shard))?.size ?? 0) > 0) return true;
    return false;
  }
}
