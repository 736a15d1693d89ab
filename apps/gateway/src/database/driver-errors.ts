/** The driver's error code (mysql2 or better-sqlite3), whether TypeORM wrapped the error or not. */
export function driverErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const UNIQUE_VIOLATIONS = new Set([
  'ER_DUP_ENTRY',
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
]);
const FOREIGN_KEY_VIOLATIONS = new Set([
  'ER_NO_REFERENCED_ROW_2',
  'ER_NO_REFERENCED_ROW',
  'ER_ROW_IS_REFERENCED_2',
  'SQLITE_CONSTRAINT_FOREIGNKEY',
]);
/** The database (or Redis) is unreachable right now: not a bug. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_BUSY',
]);

/** MySQL chose the transaction as a deadlock victim or gave up waiting for a lock: run it again. */
export const isRetryable = (error: unknown): boolean => RETRYABLE.has(driverErrorCode(error) ?? '');

/** A unique or primary key violation, on either database. */
export const isUniqueViolation = (error: unknown): boolean =>
  UNIQUE_VIOLATIONS.has(driverErrorCode(error) ?? '');

/** A row refers to one that does not exist (any more): a foreign key violation, on either database. */
export const isForeignKeyViolation = (error: unknown): boolean =>
  FOREIGN_KEY_VIOLATIONS.has(driverErrorCode(error) ?? '');

/** A backing service that cannot be reached right now. */
export const isUnavailable = (error: unknown): boolean => UNAVAILABLE.has(driverErrorCode(error) ?? '');
