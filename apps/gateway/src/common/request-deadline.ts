import {
  CallHandler,
  type CustomDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '@tickets/protocol';
import { catchError, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { AppError } from './app-error';

/**
 * Every REST request and socket message is answered within REQUEST_TIMEOUT_MS: past it, UNAVAILABLE.
 * A database that stops answering without closing its connections (a network partition) would
 * otherwise hold a request for as long as TCP takes to give up (many minutes), and every request
 * after it waiting for a pooled connection; a balancer or a person would see a hang. The work itself
 * is not cancelled: a reservation that commits after its deadline is one the client was not told
 * about, and retrying it with the same requestId answers it (idempotent), never a second one.
 */
const LONG_REQUEST = 'tickets:long-request';
/** How many deadlines a LongRequest gets. */
export const LONG_REQUEST_DEADLINES = 20;

/**
 * Admin work that grows with the size of an event (a bulk add of 100,000 tickets, deleting an event
 * that holds them), chunked so it never holds the event loop but long on a busy database: it gets
 * LONG_REQUEST_DEADLINES times REQUEST_TIMEOUT_MS, so a slow success is not answered UNAVAILABLE.
 */
export const LongRequest = (): CustomDecorator => SetMetadata(LONG_REQUEST, true);

@Injectable()
export class RequestDeadline implements NestInterceptor {
  constructor(
    private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const long = this.reflector.getAllAndOverride<boolean | undefined>(LONG_REQUEST, [
      context.getHandler(),
      context.getClass(),
    ]);
    return next.handle().pipe(
      timeout(this.config.requestTimeoutMs * (long ? LONG_REQUEST_DEADLINES : 1)),
      catchError((error: unknown) =>
        throwError(() =>
          error instanceof TimeoutError
            ? new AppError(
                ErrorCode.UNAVAILABLE,
                'No answer in time (a backing service is slow or unreachable); retry shortly',
              )
            : error,
        ),
      ),
    );
  }
}
