import { ErrorCode, HTTP_STATUS_BY_ERROR_CODE } from '@tickets/protocol';

/** A failure the client should see, with one of the protocol's error codes. */
export class AppError extends Error {
  /** RATE_LIMITED: seconds until a retry can succeed. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return HTTP_STATUS_BY_ERROR_CODE[this.code];
  }
}

export const notFound = (what: string): AppError => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
