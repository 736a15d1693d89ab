import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { finalize, Observable, tap } from 'rxjs';
import { Clock } from '../common/clock';
import { toErrorBody } from '../common/error-body';
import { Metrics, type ReservationOutcome } from './metrics';

/** The outcome a reservation's error code counts as. */
export function reservationOutcome(code: ErrorCode): ReservationOutcome {
  switch (code) {
    case ErrorCode.LEVEL_UNAVAILABLE:
      return 'unavailable';
    case ErrorCode.CONFLICT:
      return 'conflict';
    case ErrorCode.RATE_LIMITED:
      return 'rate-limited';
    case ErrorCode.LIMIT_REACHED:
      return 'limit-reached';
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.INTERNAL:
      return 'failed';
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.FORBIDDEN:
    case ErrorCode.VALIDATION_FAILED:
    case ErrorCode.PAYLOAD_TOO_LARGE:
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
    case ErrorCode.UPGRADE_REQUIRED:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.HOLD_EXPIRED:
      return 'rejected';
  }
}

/**
 * On the reserve handlers (REST and socket): counts each attempt by outcome and times it, from
 * the handler's turn (after the session and permission checks, before validation) to its answer.
 * An interceptor, so the reservation services know nothing of metrics.
 */
@Injectable()
export class ReservationMetrics implements NestInterceptor {
  constructor(
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const transport = context.getType() === 'ws' ? 'socket' : 'rest';
    const startedAt = this.clock.monotonicMs();
    let recorded = false;
    const record = (outcome: ReservationOutcome): void => {
      if (recorded) return;
      recorded = true;
      this.metrics.reservation(outcome, transport, this.clock.monotonicMs() - startedAt);
    };
    return next.handle().pipe(
      tap({
        next: () => record('ok'),
        error: (error: unknown) => record(reservationOutcome(toErrorBody(error).code)),
      }),
      // Unsubscribed without an answer: the request deadline answered UNAVAILABLE for it.
      finalize(() => record('failed')),
    );
  }
}
