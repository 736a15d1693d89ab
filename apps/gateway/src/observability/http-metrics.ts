import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../common/clock';
import type { Metrics } from './metrics';

/** Requests no route took (the web app's files, unknown paths, bodies refused before routing). */
const NO_ROUTE = 'other';

/**
 * Express middleware, first in the chain: records every HTTP request by method, route pattern
 * (the router's, e.g. `/api/events/:eventId`, never the raw path, so the label set stays small)
 * and status, once the response has gone.
 */
export function httpMetrics(
  metrics: Metrics,
  clock: Clock,
): (request: Request, response: Response, next: NextFunction) => void {
  return (request, response, next) => {
    const startedAt = clock.monotonicMs();
    response.once('finish', () => {
      const route: unknown = (request.route as { path?: unknown } | undefined)?.path;
      metrics.httpRequest(
        request.method,
        typeof route === 'string' ? route : NO_ROUTE,
        response.statusCode,
        clock.monotonicMs() - startedAt,
      );
    });
    next();
  };
}
