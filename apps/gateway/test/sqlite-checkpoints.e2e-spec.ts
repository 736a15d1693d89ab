import type { EventView } from '@tickets/protocol';
import { SqliteCheckpointer } from '../src/database/sqlite-checkpointer';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/** The embedded database's log is copied into the database file by a worker thread, never inside a COMMIT. */
describe('SQLite checkpoints', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('leaves checkpoints to the worker thread, which copies every committed frame', async () => {
    expect(await t.dataSource.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    expect(await t.dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    const event = (
      await t
        .http()
        .post('/api/events')
        .set(...bearer(t.adminToken))
        .send({ name: 'wal' })
        .expect(201)
    ).body as EventView;
    await t
      .http()
      .post(`/api/events/${event.id}/tickets/bulk`)
      .set(...bearer(t.adminToken))
      .send({ count: 5000, minValue: 1, maxValue: 9 })
      .expect(201);
    const result = await t.app.get(SqliteCheckpointer).checkpoint('PASSIVE');
    expect(result).toEqual({ logFrames: expect.any(Number), checkpointedFrames: result?.logFrames });
  });
});
