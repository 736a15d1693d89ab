import { Module } from '@nestjs/common';
import { InventoryApiModule } from '../inventory-api.module';
import { Audience } from './audience';
import { AudienceController } from './audience.controller';
import { EventRooms } from './event-rooms';
import { FanOut, RoomSink } from './fan-out';
import { Lobby } from './lobby';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';
import { SocketNotices } from './socket-notices';
import { SocketServer } from './socket-server';

@Module({
  imports: [InventoryApiModule],
  controllers: [AudienceController],
  providers: [RealtimeGateway, RealtimeService, SocketServer, Lobby, Audience, FanOut, { provide: RoomSink, useClass: EventRooms }, SocketNotices],
})
export class RealtimeModule {}
