/** Why a call to the clearance index was refused. The index is unchanged after every refusal. */
export type ClearanceErrorCode =
  /** A ticket id is not a non-negative safe integer, or a value is not a positive safe integer. */
  | 'INVALID_TICKET'
  /** Two tickets share an id, or `add` was given an id already present. */
  | 'DUPLICATE_TICKET'
  /** The sum of all ticket values would exceed the configured ceiling (`maxTotal`). */
  | 'TOTAL_TOO_LARGE'
  /** `remove` was given an id that is not present. */
  | 'UNKNOWN_TICKET'
  /** `levelAt` was given a rank outside `0 <= k < size`. */
  | 'OUT_OF_RANGE'
  /** A query argument (level, offset, limit, min, max, maxIds) is malformed or out of its range. */
  | 'INVALID_QUERY'
  /** A build option is malformed. */
  | 'INVALID_OPTIONS';

export class ClearanceError extends Error {
  override readonly name = 'ClearanceError';

  constructor(
    readonly code: ClearanceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
