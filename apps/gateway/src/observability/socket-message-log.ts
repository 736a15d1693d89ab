import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Observable, tap } from 'rxjs';
import { Clock } from '../common/clock';
import { toErrorBody } from '../common/error-body';

/** What the interceptor uses of the logger (a unit test's fake implements just this). */
export type PinoLoggerPort = Pick<PinoLogger, 'setContext' | 'info'>;

/** What the log line reads of a socket. */
interface LoggedSocket {
  id: string;
  data?: { principal?: { userId: number } };
}

/**
 * Failures this interceptor logged. A message refused by a guard (an ended session, a missing
 * permission) never reaches an interceptor: the gateway's exception filter logs those
 * (AckExceptionFilter, through `loggedByInterceptor`), so every message still gets one line.
 */
const loggedFailures = new WeakSet<object>();

export function loggedByInterceptor(error: unknown): boolean {
  return typeof error === 'object' && error !== null && loggedFailures.has(error);
}

/**
 * On the socket gateway: one line per message once it is answered, with the socket id, the user,
 * the message's name, its duration and `outcome` (`ok` or the error code). Never the payload (a
 * message carries no secret today, but the line should not depend on that).
 */
@Injectable()
export class SocketMessageLog implements NestInterceptor {
  constructor(
    @Inject(PinoLogger) private readonly logger: PinoLoggerPort,
    private readonly clock: Clock,
  ) {
    this.logger.setContext('Socket');
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ws = context.switchToWs();
    const socket = ws.getClient<LoggedSocket>();
    const message = ws.getPattern();
    const startedAt = this.clock.monotonicMs();
    const line = (outcome: string): void =>
      this.logger.info(
        {
          socketId: socket.id,
          userId: socket.data?.principal?.userId ?? null,
          message,
          outcome,
          durationMs: Math.round(this.clock.monotonicMs() - startedAt),
        },
        'socket message',
      );
    return next.handle().pipe(
      tap({
        next: () => line('ok'),
        error: (error: unknown) => {
          if (typeof error === 'object' && error !== null) loggedFailures.add(error);
          line(toErrorBody(error).code);
        },
      }),
    );
  }
}
