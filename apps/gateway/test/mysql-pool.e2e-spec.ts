import { MYSQL_POOL_SIZE } from '../src/database/data-source-options';
import { startTestApp, type TestApp } from './support/test-app';

/** The MySQL pool is opened at start, so the first burst of requests does not wait for handshakes. */
describe('the MySQL connection pool', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('mysql');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('holds every pooled connection as soon as the app has started', async () => {
    const { database } = t.config;
    if (database.kind !== 'mysql') throw new Error('expected a MySQL test database');
    const [row] = (await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?',
      [database.database],
    )) as { n: number | string }[];
    expect(Number(row.n)).toBeGreaterThanOrEqual(MYSQL_POOL_SIZE);
  });
});
