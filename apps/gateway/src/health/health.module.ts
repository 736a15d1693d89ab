import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { EventLoopMonitor } from './event-loop-monitor';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

/**
 * Liveness, readiness (draining, database, Redis, feed, indexes, event loop), and the same figures
 * as metrics (the registry itself is observability's).
 */
@Module({
  imports: [InventoryModule, LifecycleModule],
  controllers: [HealthController],
  providers: [HealthService, EventLoopMonitor],
})
export class HealthModule {}
