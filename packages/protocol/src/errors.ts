/**
 * Every error the product answers with, REST and socket alike. The HTTP status for each code
 * lives here too so that the gateway's exception filter and the clients agree on one table.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** The body is larger than the route accepts (checked before it is parsed). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The body is not JSON (or not the type the route reads). */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The client speaks another protocol version (socket handshake): reload it. */
  UPGRADE_REQUIRED: 'UPGRADE_REQUIRED',
  NOT_FOUND: 'NOT_FOUND',
  LEVEL_UNAVAILABLE: 'LEVEL_UNAVAILABLE',
  /** A limit of the event (EventLimits) would be passed; `limit` in the body names it. */
  LIMIT_REACHED: 'LIMIT_REACHED',
  /** The hold ran out before it was confirmed; its tickets are back on sale. */
  HOLD_EXPIRED: 'HOLD_EXPIRED',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const HTTP_STATUS_BY_ERROR_CODE: Readonly<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UPGRADE_REQUIRED: 426,
  NOT_FOUND: 404,
  LEVEL_UNAVAILABLE: 409,
  LIMIT_REACHED: 409,
  HOLD_EXPIRED: 409,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** The body of every REST error response. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  /** RATE_LIMITED: seconds until a retry can succeed (also sent as the Retry-After header). */
  retryAfterSeconds?: number;
  /** LIMIT_REACHED: which of the event's limits. */
  limit?: 'holdsPerUser' | 'ticketsPerUser' | 'ticketsPerReservation';
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCode, value);
}
