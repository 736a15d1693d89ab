import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { logFailure, toErrorBody } from './error-body';

/** Every REST error leaves as `{ statusCode, code, message }`; unexpected ones are logged, not leaked. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(exception);
    logFailure(this.logger, body, exception);
    const response = host.switchToHttp().getResponse<Response>();
    // The request's log line names the code (see observability/logging.ts).
    response.locals.errorCode = body.code;
    if (body.retryAfterSeconds !== undefined)
      response.setHeader('Retry-After', String(body.retryAfterSeconds));
    response.status(body.statusCode).json(body);
  }
}
