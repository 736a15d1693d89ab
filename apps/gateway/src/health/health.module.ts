import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { EventLoopMonitor } from './event-loop-monitor';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics-registry';

/** Liveness, readiness (database, Redis, feed, indexes, event loop) and Prometheus metrics. */
@Module({ imports: [InventoryModule], controllers: [HealthController, MetricsController], providers: [HealthService, EventLoopMonitor, MetricsRegistry] })
export class HealthModule {}
