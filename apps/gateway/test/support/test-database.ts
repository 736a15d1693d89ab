import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export type DatabaseKind = 'sqlite' | 'mysql';

/** The databases every integration suite runs against. */
export const DATABASE_KINDS: DatabaseKind[] = ['sqlite', 'mysql'];

const MYSQL_SERVER = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/$/, '');
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A database of its own for one test file: a temp SQLite dir, or `tickets_test_<random>` on MySQL. */
export interface TestDatabase {
  kind: DatabaseKind;
  /** Environment that points the gateway at it. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickets-test-'));
  const dropDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') {
    return { kind, env: { DATA_DIR: dataDir }, drop: async () => dropDir() };
  }
  const name = `tickets_test_${randomBytes(5).toString('hex')}`;
  const admin = await createConnection(MYSQL_SERVER);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  return {
    kind,
    env: { DATA_DIR: dataDir, DATABASE_URL: `${MYSQL_SERVER}/${name}` },
    drop: async () => {
      dropDir();
      const connection = await createConnection(MYSQL_SERVER);
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}
