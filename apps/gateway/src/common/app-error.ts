import { ErrorCode, HTTP_STATUS_BY_ERROR_CODE, type LimitName } from '@tickets/protocol';

/** A failure the client should see, with one of the protocol's error codes. */
export class AppError extends Error {
  /** RATE_LIMITED: seconds until a retry can succeed. */
  readonly retryAfterSeconds?: number;
  /** LIMIT_REACHED: which of the event's limits. */
  readonly limit?: LimitName;

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

/** LIMIT_REACHED: a reservation would pass one of the event's limits. */
export class LimitReachedError extends AppError {
  override readonly limit: LimitName;

  constructor(limit: LimitName) {
    super(ErrorCode.LIMIT_REACHED, LIMIT_MESSAGES[limit]);
    this.limit = limit;
  }
}

const LIMIT_MESSAGES: Record<LimitName, string> = {
  holdsPerUser: 'You hold as many reservations of this event as you may; confirm or cancel one first',
  ticketsPerUser: 'This would give you more tickets of this event than one person may have',
  ticketsPerReservation: 'This level takes more tickets than one reservation of this event may have',
};

export const notFound = (what: string): AppError => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
