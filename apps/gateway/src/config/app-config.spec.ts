import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to the embedded SQLite file under the repo root data dir', () => {
    const config = loadConfig({}, '/repo');
    expect(config.port).toBe(3000);
    expect(config.metricsPort).toBeNull();
    expect(config.logLevel).toBe('info');
    expect(config.requestTimeoutMs).toBe(15_000);
    expect(loadConfig({ METRICS_PORT: '9100', LOG_LEVEL: 'WARN' }, '/repo')).toMatchObject({
      metricsPort: 9100,
      logLevel: 'warn',
    });
    expect(config.database).toEqual({ kind: 'sqlite', file: '/repo/data/tickets.sqlite' });
    expect(config.jwtSecretGenerated).toBe(true);
    expect(config.jwtSecret).toHaveLength(64);
    expect(config.seedDemo).toBe(true);
    expect(config.abuseLimits.reservePerUser).toEqual({ points: 10, windowMs: 1000 });
    expect(config.jwtLifetimeSeconds).toBe(12 * 3600);
    expect(config.corsOrigins).toEqual([]);
    expect(config.socketPolling).toBe(false);
    expect(config.passwordHashCost).toBe(17);
    expect(config.broadcastIntervalMs).toBe(50);
    expect(loadConfig({ BROADCAST_INTERVAL_MS: '0' }, '/repo').broadcastIntervalMs).toBe(0);
    expect(config.broadcastShards).toBe(8);
    expect(loadConfig({ BROADCAST_SHARDS: '1' }, '/repo').broadcastShards).toBe(1);
    expect(config.shutdownTimeoutMs).toBe(8000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '30000' }, '/repo').shutdownTimeoutMs).toBe(30_000);
  });

  it('parses a MySQL URL', () => {
    const config = loadConfig(
      { DATABASE_URL: 'mysql://root:pw@db.local:3307/tickets', JWT_SECRET: 'x'.repeat(32) },
      '/r',
    );
    expect(config.database).toMatchObject({
      kind: 'mysql',
      host: 'db.local',
      port: 3307,
      database: 'tickets',
    });
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
    [{ LOGIN_RATE_LIMIT: '5/x' }, 'LOGIN_RATE_LIMIT'],
    [{ JWT_EXPIRES_IN: '3.6' }, 'JWT_EXPIRES_IN'],
    [{ JWT_EXPIRES_IN: '10s' }, 'JWT_EXPIRES_IN'],
    [{ JWT_EXPIRES_IN: '31d' }, 'JWT_EXPIRES_IN'],
    [{ JWT_EXPIRES_IN: '1w' }, 'JWT_EXPIRES_IN'],
    [{ CORS_ORIGIN: 'example.com' }, 'CORS_ORIGIN'],
    [{ CORS_ORIGIN: 'https://example.com/' }, 'CORS_ORIGIN'],
    [{ PASSWORD_HASH_COST: '9' }, 'PASSWORD_HASH_COST'],
    [{ BROADCAST_INTERVAL_MS: '-5' }, 'BROADCAST_INTERVAL_MS'],
    [{ BROADCAST_INTERVAL_MS: '20000' }, 'BROADCAST_INTERVAL_MS'],
    [{ BROADCAST_SHARDS: '0' }, 'BROADCAST_SHARDS'],
    [{ INDEX_WORKERS: '0' }, 'INDEX_WORKERS'],
    [{ INDEX_MEMORY_MB: '1.5' }, 'INDEX_MEMORY_MB'],
    [{ METRICS_PORT: 'x' }, 'METRICS_PORT'],
    [{ METRICS_PORT: '3000' }, 'METRICS_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ REQUEST_TIMEOUT_MS: '10' }, 'REQUEST_TIMEOUT_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '500' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '10s' }, 'SHUTDOWN_TIMEOUT_MS'],
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
    expect(loadConfig({}, '/r', { cores: 2, memoryBytes: 24 * GIB })).toMatchObject({
      indexWorkers: 2,
      indexMemoryBytes: 2 * GIB,
    });
    expect(loadConfig({}, '/r', { cores: 16, memoryBytes: 4 * GIB })).toMatchObject({
      indexWorkers: 4,
      indexMemoryBytes: GIB / 2,
    });
    const told = loadConfig({ INDEX_WORKERS: '3', INDEX_MEMORY_MB: '64' }, '/r', {
      cores: 2,
      memoryBytes: 24 * GIB,
    });
    expect(told).toMatchObject({ indexWorkers: 3, indexMemoryBytes: 64 * 2 ** 20 });
  });

  it('reads a rate limit with an explicit window and a prefix', () => {
    const config = loadConfig({ RESERVE_RATE_LIMIT: '5/2000', REDIS_PREFIX: 'x:', DATA_DIR: '/tmp/d' }, '/r');
    expect(config.abuseLimits.reservePerUser).toEqual({ points: 5, windowMs: 2000 });
    expect(config.redisPrefix).toBe('x:');
    expect(config.database).toEqual({ kind: 'sqlite', file: '/tmp/d/tickets.sqlite' });
  });

  it('reads token lifetimes as seconds, or with a unit', () => {
    // The README's own example: an hour, not 3.6 seconds.
    expect(loadConfig({ JWT_EXPIRES_IN: '3600' }, '/r').jwtLifetimeSeconds).toBe(3600);
    expect(loadConfig({ JWT_EXPIRES_IN: '90s' }, '/r').jwtLifetimeSeconds).toBe(90);
    expect(loadConfig({ JWT_EXPIRES_IN: '30m' }, '/r').jwtLifetimeSeconds).toBe(1800);
    expect(loadConfig({ JWT_EXPIRES_IN: '12h' }, '/r').jwtLifetimeSeconds).toBe(43_200);
    expect(loadConfig({ JWT_EXPIRES_IN: '7d' }, '/r').jwtLifetimeSeconds).toBe(604_800);
  });

  it('reads allowed origins as a list, or any', () => {
    expect(loadConfig({ CORS_ORIGIN: 'https://a.example, http://localhost:5173' }, '/r').corsOrigins).toEqual(
      ['https://a.example', 'http://localhost:5173'],
    );
    expect(loadConfig({ CORS_ORIGIN: '*' }, '/r').corsOrigins).toEqual(['*']);
  });

  it('reads every abuse limit, 0 turning one off', () => {
    const config = loadConfig(
      {
        LOGIN_RATE_LIMIT: '0',
        LOGIN_FAILURES_BEFORE_LOCKOUT: '3',
        LOGIN_LOCKOUT_MS: '5000',
        REGISTER_RATE_LIMIT: '2/60000',
        READ_RATE_LIMIT: '7',
      },
      '/r',
    );
    expect(config.abuseLimits).toEqual({
      loginPerAddress: { points: 0, windowMs: 1000 },
      loginFailuresPerAccount: 3,
      loginLockoutMs: 5000,
      registerPerAddress: { points: 2, windowMs: 60_000 },
      reservePerUser: { points: 10, windowMs: 1000 },
      readsPerUser: { points: 7, windowMs: 1000 },
    });
  });
});
