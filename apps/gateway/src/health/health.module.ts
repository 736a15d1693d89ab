import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { EventLoopMonitor } from './event-loop-monitor';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics-registry';

/** Liveness, readiness (draining, database, Redis, feed, indexes, event loop) and Prometheus metrics. */
@Module({ imports: [InventoryModule, LifecycleModule], controllers: [HealthController, MetricsController], providers: [HealthService, EventLoopMonitor, MetricsRegistry] })
export class HealthModule {}
