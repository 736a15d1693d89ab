import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { setupApiDocs } from './api-docs/api-docs';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { Clock } from './common/clock';
import { RequestDeadline } from './common/request-deadline';
import { bodyParser, bodyParserErrors } from './common/body-parsers';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { httpMetrics } from './observability/http-metrics';
import { Metrics } from './observability/metrics';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { webAppHandlers } from './web/web-app';

/**
 * Security headers for the API and the web app (helmet's defaults, tightened): the SPA loads only
 * its own scripts, styles, images and fonts, talks only to its own origin (REST and WebSocket),
 * and may not be framed. No upgrade-insecure-requests: a replica may be reached over plain HTTP on
 * a private network; TLS is the balancer's (see README, production).
 */
const SECURITY_HEADERS = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
    },
  },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * CORS: none by default, as the web app is served from the gateway's own origin; CORS_ORIGIN
 * lists the other origins allowed to call the API, or "*". Never with credentials: tokens travel
 * in the Authorization header, not cookies.
 */
function enableCors(app: NestExpressApplication, config: AppConfig): void {
  if (config.corsOrigins.length === 0) return;
  app.enableCors({
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
    credentials: false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
}

/**
 * Everything main.ts and the integration tests both need on the app: security headers, prefix,
 * body parsers with per-route limits (see BODY_LIMITS), CORS, validation, error bodies and the
 * socket adapter (connected to Redis before the server starts listening).
 */
export async function configureApp(app: NestExpressApplication, config: AppConfig): Promise<void> {
  app.use(httpMetrics(app.get(Metrics), app.get(Clock)));
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(SECURITY_HEADERS);
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  setupApiDocs(app);
  const webApp = config.webDir === null ? null : webAppHandlers(config.webDir);
  if (webApp) app.use(...webApp);
  app.use(bodyParser());
  app.use(bodyParserErrors);
  enableCors(app, config);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(app.get(RequestDeadline));
  app.useGlobalFilters(new AllExceptionsFilter());
  const adapter = new RedisIoAdapter(app, config);
  await adapter.connectToRedis();
  app.useWebSocketAdapter(adapter);
  app.enableShutdownHooks();
}
