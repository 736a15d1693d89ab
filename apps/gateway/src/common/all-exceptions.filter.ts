import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode } from '@tickets/protocol';
import { toErrorBody } from './error-body';

/** Every REST error leaves as `{ statusCode, code, message }`; unexpected ones are logged, not leaked. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(exception);
    if (body.code === ErrorCode.INTERNAL) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (body.code === ErrorCode.UNAVAILABLE) this.logger.warn(exception instanceof Error ? exception.message : String(exception));
    host.switchToHttp().getResponse<Response>().status(body.statusCode).json(body);
  }
}
