import type { NestExpressApplication } from '@nestjs/platform-express';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { bodyParser, bodyParserErrors } from './common/body-parsers';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { RedisIoAdapter } from './realtime/redis-io.adapter';

/**
 * Everything main.ts and the integration tests both need on the app: prefix, body parsers with
 * per-route limits (see BODY_LIMITS), CORS, validation, error bodies and the socket adapter
 * (connected to Redis before the server starts listening).
 */
export async function configureApp(app: NestExpressApplication, config: AppConfig): Promise<void> {
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.use(bodyParser());
  app.use(bodyParserErrors);
  app.enableCors({ origin: config.corsOrigin, credentials: true });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  const adapter = new RedisIoAdapter(app, config);
  await adapter.connectToRedis();
  app.useWebSocketAdapter(adapter);
  app.enableShutdownHooks();
}
