import { HttpException, type Logger } from '@nestjs/common';
import { ErrorBody, ErrorCode, HTTP_STATUS_BY_ERROR_CODE } from '@tickets/protocol';
import { isForeignKeyViolation, isUnavailable } from '../database/driver-errors';
import { AppError } from './app-error';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.UNAVAILABLE,
};

/** Translates any thrown value into the protocol's error body; unknown errors become INTERNAL. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) {
    const body: ErrorBody = { statusCode: error.status, code: error.code, message: error.message };
    if (error.retryAfterSeconds !== undefined) body.retryAfterSeconds = error.retryAfterSeconds;
    if (error.limit !== undefined) body.limit = error.limit;
    return body;
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.VALIDATION_FAILED);
    const response = error.getResponse();
    const raw =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : response;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : error.message;
    return {
      statusCode: HTTP_STATUS_BY_ERROR_CODE[code] === status ? status : HTTP_STATUS_BY_ERROR_CODE[code],
      code,
      message,
    };
  }
  if (isForeignKeyViolation(error)) {
    // A row named in the call was deleted meanwhile (an event, say): the call cannot apply.
    return {
      statusCode: 404,
      code: ErrorCode.NOT_FOUND,
      message: 'Something this call refers to was deleted meanwhile',
    };
  }
  if (isUnavailable(error)) {
    return {
      statusCode: 503,
      code: ErrorCode.UNAVAILABLE,
      message: 'A backing service is unavailable; retry shortly',
    };
  }
  return { statusCode: 500, code: ErrorCode.INTERNAL, message: 'Internal error' };
}

/** Logs what an operator must see: bugs with their stack, outages with their cause; client errors are not logged. */
export function logFailure(logger: Logger, body: ErrorBody, error: unknown): void {
  if (body.code === ErrorCode.INTERNAL) logger.error(error instanceof Error ? error.stack : String(error));
  if (body.code === ErrorCode.UNAVAILABLE)
    logger.warn(error instanceof Error ? error.message : String(error));
}
