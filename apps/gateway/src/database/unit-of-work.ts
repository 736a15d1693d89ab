import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

const RETRYABLE_MYSQL_ERRORS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * The only way the gateway reaches the database once it serves. SQLite has a single connection in
 * TypeORM, so every access (transactions and plain reads alike) is queued here: a statement issued
 * while another caller's transaction is open would run inside it, so a write could vanish with that
 * transaction's rollback and a read could see rows that never commit. MySQL transactions run
 * concurrently on pooled connections and are retried when the server picks them as a deadlock
 * victim; its reads run concurrently outside any transaction.
 *
 * The SQLite queue is not reentrant: never call run() or read() from inside a run()/read()
 * callback (it would wait for itself); pass the callback's manager down instead.
 */
@Injectable()
export class UnitOfWork {
  private sqliteTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  /** Runs work in one transaction. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.isSqlite) return this.enqueueOnSqlite(() => this.dataSource.transaction(work));
    return this.runMysql(work);
  }

  /** Runs reads (no transaction); on SQLite after every earlier run()/read() has finished. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.isSqlite) return this.enqueueOnSqlite(() => work(this.dataSource.manager));
    return work(this.dataSource.manager);
  }

  private enqueueOnSqlite<T>(task: () => Promise<T>): Promise<T> {
    const result = this.sqliteTail.then(task);
    this.sqliteTail = result.catch(() => undefined);
    return result;
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

  /**
   * A date as a plain-SQL parameter: mysql2 takes a Date (UTC, see dataSourceOptions); SQLite
   * stores the UTC text TypeORM itself writes and reads back ('YYYY-MM-DD HH:MM:SS.SSS').
   */
  sqlDate(date: Date): Date | string {
    return this.isSqlite ? date.toISOString().replace('T', ' ').replace('Z', '') : date;
  }

  /** Round trip to the database, for readiness. */
  async ping(): Promise<boolean> {
    try {
      await this.read((manager) => manager.query('SELECT 1'));
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

/** True when a row refers to one that does not exist (any more): a foreign key violation on either database. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW' || code === 'ER_ROW_IS_REFERENCED_2' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** True when the error is a unique/primary key violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
