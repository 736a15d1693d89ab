import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MYSQL_POOL_SIZE } from '../database/data-source-options';
import { MultiStatementPool } from '../database/multi-statement-pool';

const STARTUP_LOCK = 'tickets_startup';

/** The database side of a start: the lock replicas starting together take in turn, the migrations, the pool. */
@Injectable()
export class StartupDatabase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly multiStatementPool: MultiStatementPool,
  ) {}

  /** SQLite: one process owns the file, so there is no lock to take and no pool to warm. */
  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  /** Runs fn holding MySQL's named startup lock: another replica waits for it (up to 120 s) to do the same. */
  async underLock<T>(fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query('SELECT GET_LOCK(?, 120) AS locked', [STARTUP_LOCK])) as {
        locked: number;
      }[];
      if (Number(row?.locked) !== 1)
        throw new Error('Timed out waiting for the startup lock held by another replica');
      try {
        return await fn();
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [STARTUP_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Applies the migrations not applied yet, each in its own transaction; answers their names. */
  async migrate(): Promise<string[]> {
    return (await this.dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
  }

  /**
   * Opens the whole MySQL pool now: the pool opens connections on demand, so without this the
   * first burst of requests after a start each waits for a connection handshake.
   */
  async warmPool(): Promise<void> {
    await Promise.all([
      ...Array.from({ length: MYSQL_POOL_SIZE }, () => this.dataSource.query('SELECT 1')),
      this.multiStatementPool.warm(),
    ]);
  }
}
