import type { ErrorCode, LimitName } from '@tickets/protocol';

/** A socket request answered `{ ok: false }`, or not answered at all (`UNAVAILABLE`). */
export class SocketRequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** RATE_LIMITED: seconds until a retry can succeed. */
    readonly retryAfterSeconds?: number,
    /** LIMIT_REACHED: which of the event's limits. */
    readonly limit?: LimitName,
  ) {
    super(message);
    this.name = 'SocketRequestError';
  }
}
