import { Module } from '@nestjs/common';
import { InventoryApiModule } from '../inventory-api.module';
import { Audience } from './audience';
import { AudienceController } from './audience.controller';
import { Lobby } from './lobby';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';
import { SocketServer } from './socket-server';

@Module({
  imports: [InventoryApiModule],
  controllers: [AudienceController],
  providers: [RealtimeGateway, RealtimeService, SocketServer, Lobby, Audience],
})
export class RealtimeModule {}
