import type { ErrorCode } from '@tickets/protocol';

/** A socket request answered `{ ok: false }`, or not answered at all (`UNAVAILABLE`). */
export class SocketRequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SocketRequestError';
  }
}
