import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/auth.decorators';
import { Metrics } from './metrics';

/**
 * `GET /metrics` (outside `/api`, where scrapers look): Prometheus text format. Only on the API
 * port when METRICS_PORT is not set; otherwise MetricsServer serves it on that port alone.
 */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
