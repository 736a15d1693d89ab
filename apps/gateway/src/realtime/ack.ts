import {
  ArgumentsHost,
  CallHandler,
  Catch,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  WsExceptionFilter,
} from '@nestjs/common';
import type { Ack } from '@tickets/protocol';
import { map, Observable } from 'rxjs';
import { logFailure, toErrorBody } from '../common/error-body';
import { loggedByInterceptor } from '../observability/socket-message-log';

/** Wraps a handler's result as the protocol's `{ ok: true, data }` acknowledgement. */
@Injectable()
export class AckInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<Ack<unknown>> {
    return next.handle().pipe(map((data: unknown) => ({ ok: true as const, data })));
  }
}

/**
 * Answers a failed socket message through its acknowledgement callback with `{ ok: false, error }`;
 * the connection stays up.
 */
@Catch()
export class AckExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('Socket');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(exception);
    logFailure(this.logger, body, exception);
    if (!loggedByInterceptor(exception)) {
      // Refused before any interceptor ran (a guard): the message's line, as SocketMessageLog writes it.
      const ws = host.switchToWs();
      const socket = ws.getClient<{ id?: string; data?: { principal?: { userId: number } } }>();
      this.logger.log(
        {
          socketId: socket.id ?? null,
          userId: socket.data?.principal?.userId ?? null,
          message: ws.getPattern(),
          outcome: body.code,
          durationMs: null,
        },
        'socket message',
      );
    }
    // Socket.IO handler arguments: (socket, payload, ack, pattern).
    const ack = host
      .getArgs()
      .find((arg): arg is (response: Ack<never>) => void => typeof arg === 'function');
    const { code, message, retryAfterSeconds, limit } = body;
    ack?.({
      ok: false,
      error: {
        code,
        message,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        ...(limit === undefined ? {} : { limit }),
      },
    });
  }
}
