import type { EntityManager } from 'typeorm';
import type { TimeSlices } from '../common/timers';

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

/**
 * Deletes the rows of `table` matching `where` (with `params`), WRITE_CHUNK_ROWS at a time by
 * their `key` column, with a turn of the event loop between chunks: an event's 100,000 tickets
 * never go in one statement (SQLite runs each synchronously on the event loop).
 */
export async function deleteInChunks(
  manager: EntityManager,
  slices: TimeSlices,
  { table, key, where, params }: { table: string; key: string; where: string; params: unknown[] },
): Promise<void> {
  for (;;) {
    const rows = (await manager.query(
      `SELECT ${key} AS k FROM ${table} WHERE ${where} LIMIT ${WRITE_CHUNK_ROWS}`,
      params,
    )) as { k: number | string }[];
    if (rows.length === 0) return;
    const keys = rows.map((row) => Number(row.k));
    await manager.query(
      `DELETE FROM ${table} WHERE ${key} IN (${placeholders(keys.length)}) AND (${where})`,
      [...keys, ...params],
    );
    if (rows.length < WRITE_CHUNK_ROWS) return;
    await slices.breathe();
  }
}

/** Runs a write in the caller's transaction and answers how many rows it changed (either driver). */
export async function rowsChanged(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  if (!manager.queryRunner) throw new Error('rowsChanged runs inside a transaction');
  const result = (await manager.queryRunner.query(sql, params, true)) as { affected?: number };
  return result.affected ?? 0;
}
