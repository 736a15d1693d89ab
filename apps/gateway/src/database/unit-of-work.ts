import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

const RETRYABLE_MYSQL_ERRORS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * Runs work in one database transaction. SQLite has a single connection in TypeORM, so its
 * transactions are queued here (otherwise two would interleave on that connection); MySQL
 * transactions run concurrently and are retried when the server picks them as a deadlock victim.
 */
@Injectable()
export class UnitOfWork {
  private sqliteTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.isSqlite) {
      const result = this.sqliteTail.then(() => this.dataSource.transaction(work));
      this.sqliteTail = result.catch(() => undefined);
      return result;
    }
    return this.runMysql(work);
  }

  private async runMysql<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
      }
    }
  }

  /** Round trip to the database, for readiness. */
  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}

/** True when MySQL chose the transaction as a deadlock victim or gave up waiting for a lock. */
export function isRetryable(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code !== undefined && RETRYABLE_MYSQL_ERRORS.has(code);
}

/** True when the error is a unique/primary key violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
