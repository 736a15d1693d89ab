import { Module } from '@nestjs/common';
import { InventoryApiModule } from '../inventory-api.module';
import { Audience } from './audience';
import { AudienceController } from './audience.controller';
import { Lobby } from './lobby';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';
import { ReserveRateLimiter } from './reserve-rate-limiter';
import { SocketServer } from './socket-server';

@Module({
  imports: [InventoryApiModule],
  controllers: [AudienceController],
  providers: [RealtimeGateway, RealtimeService, ReserveRateLimiter, SocketServer, Lobby, Audience],
})
export class RealtimeModule {}
