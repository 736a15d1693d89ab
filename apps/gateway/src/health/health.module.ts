import { Module } from '@nestjs/common';
import { EventLoopMonitor } from './event-loop-monitor';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics-registry';

@Module({ controllers: [HealthController, MetricsController], providers: [HealthService, EventLoopMonitor, MetricsRegistry] })
export class HealthModule {}
