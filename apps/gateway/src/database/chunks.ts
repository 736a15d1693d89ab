/**
 * How many rows one statement reads or writes when the work grows with the size of an event.
 * SQLite runs every statement synchronously on the event loop, and MySQL's results are parsed on
 * it, so statements stay small (a few milliseconds each) and the work awaits
 * `TimeSlices.breathe()` between them.
 */
export const READ_CHUNK_ROWS = 500;
export const WRITE_CHUNK_ROWS = 200;

/** `?, ?, …` for `count` parameters. */
export const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');
