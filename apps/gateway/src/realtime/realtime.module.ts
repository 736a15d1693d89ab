import { Module } from '@nestjs/common';
import { InventoryApiModule } from '../inventory-api.module';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeService } from './realtime.service';
import { ReserveRateLimiter } from './reserve-rate-limiter';

@Module({
  imports: [InventoryApiModule],
  providers: [RealtimeGateway, RealtimeService, ReserveRateLimiter],
})
export class RealtimeModule {}
