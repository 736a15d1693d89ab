import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to the embedded SQLite file under the repo root data dir', () => {
    const config = loadConfig({}, '/repo');
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'sqlite', file: '/repo/data/tickets.sqlite' });
    expect(config.jwtSecretGenerated).toBe(true);
    expect(config.jwtSecret).toHaveLength(64);
    expect(config.seedDemo).toBe(true);
    expect(config.reserveRateLimit).toEqual({ points: 10, windowMs: 1000 });
    expect(config.broadcastIntervalMs).toBe(50);
    expect(loadConfig({ BROADCAST_INTERVAL_MS: '0' }, '/repo').broadcastIntervalMs).toBe(0);
    expect(config.broadcastShards).toBe(8);
    expect(loadConfig({ BROADCAST_SHARDS: '1' }, '/repo').broadcastShards).toBe(1);
  });

  it('parses a MySQL URL', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://root:pw@db.local:3307/tickets', JWT_SECRET: 'x'.repeat(32) }, '/r');
    expect(config.database).toMatchObject({ kind: 'mysql', host: 'db.local', port: 3307, database: 'tickets' });
    expect(config.seedDemo).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://root@localhost' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ REDIS_URL: 'http://x', JWT_SECRET: 'x'.repeat(20) }, 'REDIS_URL'],
    [{ ADMIN_PASSWORD: 'longenough' }, 'ADMIN_EMAIL'],
    [{ ADMIN_EMAIL: 'a@b.c', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ RESERVE_RATE_LIMIT: 'fast' }, 'RESERVE_RATE_LIMIT'],
    [{ BROADCAST_INTERVAL_MS: '-5' }, 'BROADCAST_INTERVAL_MS'],
    [{ BROADCAST_INTERVAL_MS: '20000' }, 'BROADCAST_INTERVAL_MS'],
    [{ BROADCAST_SHARDS: '0' }, 'BROADCAST_SHARDS'],
    [{ INDEX_WORKERS: '0' }, 'INDEX_WORKERS'],
    [{ INDEX_MEMORY_MB: '1.5' }, 'INDEX_MEMORY_MB'],
  ])('rejects %j naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env, '/r');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('sizes the index workers and memory budget for the machine unless told', () => {
    const GIB = 2 ** 30;
    expect(loadConfig({}, '/r', { cores: 2, memoryBytes: 24 * GIB })).toMatchObject({ indexWorkers: 2, indexMemoryBytes: 2 * GIB });
    expect(loadConfig({}, '/r', { cores: 16, memoryBytes: 4 * GIB })).toMatchObject({ indexWorkers: 4, indexMemoryBytes: GIB / 2 });
    const told = loadConfig({ INDEX_WORKERS: '3', INDEX_MEMORY_MB: '64' }, '/r', { cores: 2, memoryBytes: 24 * GIB });
    expect(told).toMatchObject({ indexWorkers: 3, indexMemoryBytes: 64 * 2 ** 20 });
  });

  it('reads a rate limit with an explicit window and a prefix', () => {
    const config = loadConfig({ RESERVE_RATE_LIMIT: '5/2000', REDIS_PREFIX: 'x:', DATA_DIR: '/tmp/d' }, '/r');
    expect(config.reserveRateLimit).toEqual({ points: 5, windowMs: 2000 });
    expect(config.redisPrefix).toBe('x:');
    expect(config.database).toEqual({ kind: 'sqlite', file: '/tmp/d/tickets.sqlite' });
  });
});
