import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { HealthResponse, ReadinessResponse } from '@tickets/protocol';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { HealthService } from './health.service';

@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('healthz')
  @HttpCode(200)
  healthz(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) response: Response): Promise<ReadinessResponse> {
    const readiness = await this.health.readiness();
    response.status(readiness.status === 'unavailable' ? 503 : 200);
    return readiness;
  }
}
