import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScratchDatabase } from './scratch-database';

export type DatabaseKind = 'sqlite' | 'mysql';

/** The databases every integration suite runs against. */
export const DATABASE_KINDS: DatabaseKind[] = ['sqlite', 'mysql'];

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A database of its own for one test file: a temp SQLite dir, or a ScratchDatabase `tickets_test_<random>` on MySQL. */
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
  const scratch = await ScratchDatabase.create('tickets_test');
  return {
    kind,
    env: { DATA_DIR: dataDir, DATABASE_URL: scratch.url },
    drop: async () => {
      dropDir();
      await scratch.drop();
    },
  };
}
