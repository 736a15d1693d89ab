import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { AppConfig } from '../config/app-config';

/** Connections of the multi-statement pool (the reserve fast path's; opened at start). */
export const MULTI_STATEMENT_POOL_SIZE = 10;

/**
 * MySQL only: the one pool whose connections accept several statements per query, kept apart from
 * TypeORM's (which does not) so that only the queries written for it can send more than one
 * statement. Its one user is ReservationStore's fast path, which sends a reservation as two round
 * trips (placeholders only). Null on SQLite.
 */
@Injectable()
export class MultiStatementPool implements OnApplicationShutdown {
  private readonly pool: Pool | null;

  constructor(config: AppConfig) {
    this.pool =
      config.database.kind === 'mysql'
        ? createPool({
            uri: config.database.url,
            multipleStatements: true,
            connectionLimit: MULTI_STATEMENT_POOL_SIZE,
            connectTimeout: 5000,
            timezone: 'Z',
            charset: 'utf8mb4',
          })
        : null;
  }

  /** Runs `work` on one connection of the pool, then gives it back. */
  async withConnection<T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    if (!this.pool) throw new Error('the multi-statement pool exists on MySQL only');
    const connection = await this.pool.getConnection();
    try {
      return await work(connection);
    } finally {
      connection.release();
    }
  }

  /** The mysql2 pool itself, for its connection figures (metrics); null on SQLite. */
  underlying(): Pool | null {
    return this.pool;
  }

  /** Opens every connection now (see StartupDatabase.warmPool). */
  async warm(): Promise<void> {
    if (!this.pool) return;
    const connections = await Promise.all(
      Array.from({ length: MULTI_STATEMENT_POOL_SIZE }, () => this.pool!.getConnection()),
    );
    for (const connection of connections) connection.release();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }
}
