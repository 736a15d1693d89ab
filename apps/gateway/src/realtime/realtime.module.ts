import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { InventoryModule } from '../inventory/inventory.module';
import { LevelsModule } from '../levels/levels.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { Audience } from './audience';
import { AudienceController } from './audience.controller';
import { EventRooms } from './event-rooms';
import { FanOut, RoomSink } from './fan-out';
import { Lobby } from './lobby';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';
import { SocketNotices } from './socket-notices';
import { SocketServer } from './socket-server';

/**
 * Sockets: the gateway (handshake, messages, acks), rooms, the fan-out of inventory changes to this
 * replica's sockets, live notices and the lobby through the Redis adapter, the audience count.
 */
@Module({
  imports: [AuthModule, InventoryModule, EventsModule, LevelsModule, ReservationsModule],
  controllers: [AudienceController],
  providers: [
    RealtimeGateway,
    RealtimeService,
    SocketServer,
    Lobby,
    Audience,
    FanOut,
    { provide: RoomSink, useClass: EventRooms },
    SocketNotices,
  ],
  // For lifecycle: a draining replica flushes the fan-out and sends its sockets away.
  exports: [SocketServer, FanOut],
})
export class RealtimeModule {}
