import { DynamicModule, Global, Module, OnModuleInit } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { loggingParams, prettyLogs } from './logging';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';
import { ReservationMetrics } from './reservation-metrics';
import { SocketMessageLog } from './socket-message-log';

/**
 * Metrics and logs, global infrastructure like config and common: `Metrics` (the Prometheus
 * registry every feature records into), `GET /metrics` (on the API port, or alone on
 * METRICS_PORT), the interceptors that time reservations and log socket messages, and the JSON
 * logger (nestjs-pino: one line per request).
 */
@Global()
@Module({})
export class ObservabilityModule implements OnModuleInit {
  constructor(private readonly metrics: Metrics) {}

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(loggingParams(config, prettyLogs(config)))],
      controllers: config.metricsPort === null ? [MetricsController] : [],
      providers: [Metrics, MetricsServer, ReservationMetrics, SocketMessageLog],
      exports: [Metrics, ReservationMetrics, SocketMessageLog],
    };
  }

  onModuleInit(): void {
    this.metrics.collectDefaults();
  }
}
