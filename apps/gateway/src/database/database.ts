import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isRetryable } from './driver-errors';

/**
 * The only way the gateway reaches the database once it serves. SQLite has a single connection in
 * TypeORM, so every access (transactions and plain reads alike) is queued here: a statement issued
 * while another caller's transaction is open would run inside it, so a write could vanish with that
 * transaction's rollback and a read could see rows that never commit. MySQL transactions run
 * concurrently on pooled connections and are retried when the server picks them as a deadlock
 * victim; its reads run concurrently outside any transaction.
 *
 * The SQLite queue is not reentrant: never call transaction() or read() from inside a transaction()/read()
 * callback (it would wait for itself); pass the callback's manager down instead.
 */
@Injectable()
export class Database {
  private sqliteTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  /** Runs work in one transaction (retried as a whole when MySQL picks it as a deadlock victim). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.isSqlite) return this.enqueueOnSqlite(() => this.dataSource.transaction(work));
    return this.runMysql(work);
  }

  /** Runs reads (no transaction); on SQLite after every earlier transaction()/read() has finished. */
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
