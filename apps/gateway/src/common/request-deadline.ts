import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
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
@Injectable()
export class RequestDeadline implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout(this.config.requestTimeoutMs),
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
