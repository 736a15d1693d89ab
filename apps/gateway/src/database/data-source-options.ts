import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';

/** SQLite page cache of the gateway's connection. */
const SQLITE_CACHE_KIB = 64 * 1024;

/** MySQL connections per replica (opened at start, see StartupDatabase.warmPool). */
export const MYSQL_POOL_SIZE = 20;

/**
 * TypeORM options for either database. Migrations are run explicitly under a startup lock
 * (see StartupService), never `synchronize`.
 */
export function dataSourceOptions(config: AppConfig): TypeOrmModuleOptions {
  const common = {
    // Each feature module registers its own entities (TypeOrmModule.forFeature).
    autoLoadEntities: true,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
    // Fail fast: a wrong DATABASE_URL must stop the process with a clear message, not retry for 30 s.
    retryAttempts: 0,
  } as const;
  if (config.database.kind === 'sqlite') {
    mkdirSync(dirname(config.database.file), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.database.file,
      enableWAL: true,
      timeout: 10000,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        // SQLite runs on the event loop: its checkpoints (copying the WAL into the database file,
        // tens of milliseconds after a large transaction) run in SqliteCheckpointer's worker
        // thread instead of inside whichever COMMIT crosses the threshold. A larger page cache
        // keeps a large transaction from spilling pages to disk statement by statement.
        db.pragma('wal_autocheckpoint = 0');
        db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
        // Every commit reaches the disk before it is acknowledged: nothing committed is lost.
        db.pragma('synchronous = FULL');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: config.database.url,
    connectTimeout: 5000,
    poolSize: MYSQL_POOL_SIZE,
    timezone: 'Z',
    charset: 'utf8mb4',
    // One statement per query: InventoryOutbox.bumpAndRecord's three run in a stored procedure.
    multipleStatements: false,
  };
}
