import { RequestMethod, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';

/** What the gateway puts on a request and a response that the request's log line reads. */
interface LoggedRequest extends IncomingMessage {
  principal?: { userId: number };
  originalUrl?: string;
}
interface LoggedResponse extends ServerResponse {
  locals?: { errorCode?: string };
}

/** Probes and scrapes: answered many times a minute, and each answer is in the metrics anyway. */
const UNLOGGED_PATHS: ReadonlySet<string> = new Set(['/api/healthz', '/api/readyz', '/metrics']);

/**
 * Never logged, whatever a log call passes: credentials in headers, passwords and tokens in bodies
 * or objects (at any of the first levels), the signing secret. The request serializer below logs
 * no header and no body in the first place; this is the net under it.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'currentPassword',
  'newPassword',
  'accessToken',
  'token',
  'jwtSecret',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.token',
  '*.jwtSecret',
  '*.*.password',
  '*.*.accessToken',
  '*.*.token',
];

/** Who made the request and how it ended: `ok`, or the error code the exception filter answered with. */
function requestOutcome(
  request: LoggedRequest,
  response: LoggedResponse,
): { userId: number | null; outcome: string } {
  return {
    userId: request.principal?.userId ?? null,
    outcome: response.locals?.errorCode ?? (response.statusCode < 400 ? 'ok' : `HTTP ${response.statusCode}`),
  };
}

/** The path without its query string (a query could carry anything a client put there). */
const pathOf = (request: LoggedRequest): string => (request.originalUrl ?? request.url ?? '').split('?')[0];

/**
 * nestjs-pino's options: JSON lines on stdout (pino-pretty only in development on a terminal),
 * one line per HTTP request when its response has gone (`req.id`, method, path, status, user,
 * duration, and `outcome`: `ok` or the error code), at LOG_LEVEL.
 */
export function loggingParams(config: AppConfig, pretty: boolean): Params {
  return {
    // Every route under the global prefix (Nest's default '*' is a legacy pattern for Express 5).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: () => randomUUID(),
      autoLogging: { ignore: (request) => UNLOGGED_PATHS.has(pathOf(request)) },
      // The error path carries the same fields as the others; a 4xx is the client's, not ours.
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
      customSuccessMessage: () => 'request',
      customErrorMessage: () => 'request',
      customAttributeKeys: { responseTime: 'durationMs' },
      // Added when the line is written: the session check has named the user by then.
      customSuccessObject: (request: LoggedRequest, response: LoggedResponse, line: object) => ({
        ...line,
        ...requestOutcome(request, response),
      }),
      customErrorObject: (request: LoggedRequest, response: LoggedResponse, _error: Error, line: object) => ({
        ...line,
        ...requestOutcome(request, response),
      }),
      serializers: {
        req: (request: { id?: unknown; method?: string; url?: string; remoteAddress?: string }) => ({
          id: request.id,
          method: request.method,
          path: (request.url ?? '').split('?')[0],
          remoteAddress: request.remoteAddress,
        }),
        res: (response: { statusCode: number }) => ({ status: response.statusCode }),
      },
    },
  };
}

/** pino-pretty, a development dependency, only in development and when a person reads the terminal. */
export function prettyLogs(config: AppConfig): boolean {
  if (config.nodeEnv !== 'development' || !process.stdout.isTTY) return false;
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** Nest's own start-up chatter (modules loaded, every route mapped): dozens of lines that say nothing. */
const FRAMEWORK_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestApplication',
]);

/**
 * The app's logger (nestjs-pino's, JSON), without Nest's start-up lines at `log` level; warnings
 * and errors from Nest itself still pass.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (FRAMEWORK_CONTEXTS.has(String(rest.at(-1)))) return;
    this.inner.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(message, ...rest);
  }
}
