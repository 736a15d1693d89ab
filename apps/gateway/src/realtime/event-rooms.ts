import { Injectable, OnModuleInit } from '@nestjs/common';
import type { InventoryChanged } from '@tickets/protocol';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../observability/metrics';
import { RoomSink } from './fan-out';
import { eventOfRoom, eventRoom } from './rooms';
import { SocketServer } from './socket-server';

/**
 * The fan-out's sink: an event's room shards on this replica's own sockets. Each replica emits
 * inventory changes only locally (`server.local`): every replica consumes every change itself, so
 * sending them through the Redis adapter would deliver each one once per replica.
 */
@Injectable()
export class EventRooms extends RoomSink implements OnModuleInit {
  constructor(
    private readonly sockets: SocketServer,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  onModuleInit(): void {
    this.metrics.readSockets(() => {
      const namespace = this.sockets.server?.of('/');
      if (!namespace) return { sockets: 0, eventRooms: 0, joined: 0 };
      const events = new Set<number>();
      let joined = 0;
      for (const [room, members] of namespace.adapter.rooms) {
        const eventId = members.size > 0 ? eventOfRoom(room) : null;
        if (eventId === null) continue;
        events.add(eventId);
        joined += members.size;
      }
      return { sockets: namespace.sockets.size, eventRooms: events.size, joined };
    });
  }

  deliver(eventId: number, shard: number, changes: readonly InventoryChanged[]): void {
    this.sockets.server?.local
      .to(eventRoom(eventId, shard))
      .emit('inventory:changed', { eventId, changes: [...changes] });
  }

  hasListeners(eventId: number): boolean {
    const rooms = this.sockets.server?.of('/').adapter.rooms;
    if (!rooms) return false;
    for (let shard = 0; shard < this.config.broadcastShards; shard++)
      if ((rooms.get(eventRoom(eventId, shard))?.size ?? 0) > 0) return true;
    return false;
  }
}
