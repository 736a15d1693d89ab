import { randomBytes } from 'node:crypto';
import { availableParallelism, totalmem } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

/** Where the data lives: the embedded SQLite file, or a MySQL/MariaDB server. */
export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'mysql'; url: string; host: string; port: number; database: string };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** At most `points` calls per `windowMs` (fixed window); 0 points: no limit. */
export interface RateLimitConfig {
  points: number;
  windowMs: number;
}

/** Which abuse limits apply (see AbuseLimits). */
export interface AbuseLimitsConfig {
  /** Failed sign-ins per address. */
  loginPerAddress: RateLimitConfig;
  /** Failed sign-ins in a row for one account before it is locked; each lockout lasts twice the last. */
  loginFailuresPerAccount: number;
  /** The first lockout of an account, in milliseconds. */
  loginLockoutMs: number;
  registerPerAddress: RateLimitConfig;
  /** Reservations per user, REST and socket together. */
  reservePerUser: RateLimitConfig;
  /** Level pages and combinations per user, REST and socket together. */
  readsPerUser: RateLimitConfig;
}

/**
 * The one typed configuration object. Built once at boot from the environment by loadConfig();
 * nothing else in the gateway reads process.env.
 */
export class AppConfig {
  readonly nodeEnv!: string;
  readonly port!: number;
  /** The port `GET /metrics` is served on, alone; null: on the API port (see MetricsServer). */
  readonly metricsPort!: number | null;
  /** pino's level for the JSON log lines (one per request and per socket message at `info`). */
  readonly logLevel!: LogLevel;
  readonly database!: DatabaseConfig;
  readonly dataDir!: string;
  readonly redisUrl!: string | null;
  readonly redisPrefix!: string;
  readonly jwtSecret!: string;
  /** True when JWT_SECRET was not given (allowed outside production without REDIS_URL) and the secret was generated. */
  readonly jwtSecretGenerated!: boolean;
  /** Where a generated secret is kept across restarts (DATA_DIR/jwt-secret); null: given, or per process. */
  readonly jwtSecretFile!: string | null;
  /** How long an access token lives, in seconds. */
  readonly jwtLifetimeSeconds!: number;
  readonly adminEmail!: string | null;
  readonly adminPassword!: string | null;
  /**
   * Origins allowed to call the API and open sockets from a browser, besides the gateway's own
   * (the web app is served from it). Empty: same origin only; ['*']: any origin (no credentials
   * are ever involved: tokens travel in headers, not cookies).
   */
  readonly corsOrigins!: string[];
  /** Allow Socket.IO's HTTP long-polling besides WebSocket (the balancer must then be sticky). */
  readonly socketPolling!: boolean;
  /** Express `trust proxy`: how many proxies in front set X-Forwarded-For (0: none; the address is the peer's). */
  readonly trustProxy!: number;
  readonly abuseLimits!: AbuseLimitsConfig;
  /** scrypt cost as log2 N (17: N = 2^17, OWASP's minimum with r = 8); hashes below it are upgraded at the next sign-in. */
  readonly passwordHashCost!: number;
  /** How long a hold lasts before it must be confirmed (an event may set its own), in seconds. */
  readonly holdTtlSeconds!: number;
  /** How often each replica looks for holds that ran out (and for holds to warn about). */
  readonly holdSweepMs!: number;
  /** A hold's holder is warned this many seconds before it runs out (0: no warning). */
  readonly holdWarningSeconds!: number;
  /** The holds-per-user limit of a new event, unless its creator sets one. */
  readonly defaultHoldsPerUser!: number;
  /** Create a demo event with tickets on first start. */
  readonly seedDemo!: boolean;
  /** How often each replica re-checks event versions against the database (safety net for lost feed messages). */
  readonly feedPollMs!: number;
  /**
   * Shortest gap between two inventory messages to one event's sockets; changes in between ride
   * together (0: no gap; only changes that come while a message is being handed to the room's
   * shards ride together). A costly message stretches the gap (see FanOut).
   */
  readonly broadcastIntervalMs!: number;
  /**
   * An event's room is split into this many shards; a message is handed to one shard at a time,
   * letting other work (reservations, acknowledgements) run in between.
   */
  readonly broadcastShards!: number;
  /** Worker threads holding the events' clearance indexes (no index computation runs on the event loop). */
  readonly indexWorkers!: number;
  /** Every REST request and socket message is answered within this many milliseconds (UNAVAILABLE past it). */
  readonly requestTimeoutMs!: number;
  /** Budget for index memory; past it, indexes nobody watches here are dropped, least recently used first. */
  readonly indexMemoryBytes!: number;
  /** The built web app this replica serves on its own port; null: none (another server serves it). */
  readonly webDir!: string | null;
  /**
   * From SIGTERM or SIGINT to exit, at most: the replica drains (readiness 503, no new
   * connections, in-flight messages and requests answered, sockets sent elsewhere) and closes;
   * whatever is still open at this deadline is cut and the process exits with status 1.
   */
  readonly shutdownTimeoutMs!: number;

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }
}

/** A generated signing secret: 32 random bytes, hex. */
export const GENERATED_SECRET_PATTERN = /^[0-9a-f]{64}$/;
export function generateJwtSecret(): string {
  return randomBytes(32).toString('hex');
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid environment variable ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** What the defaults that depend on the machine are derived from. */
export interface MachineFacts {
  cores: number;
  memoryBytes: number;
}

export function readMachine(): MachineFacts {
  return { cores: availableParallelism(), memoryBytes: totalmem() };
}

const MIB = 2 ** 20;

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `expected ${min}..${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = nonEmpty(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function parseDatabaseUrl(raw: string): DatabaseConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'not a URL; expected mysql://USER:PASS@HOST:PORT/DB');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigError(
      'DATABASE_URL',
      `unsupported scheme "${url.protocol}"; expected mysql://USER:PASS@HOST:PORT/DB (unset it for the embedded SQLite)`,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!url.hostname)
    throw new ConfigError('DATABASE_URL', 'missing host; expected mysql://USER:PASS@HOST:PORT/DB');
  if (!database || database.includes('/')) {
    throw new ConfigError('DATABASE_URL', 'missing database name; expected mysql://USER:PASS@HOST:PORT/DB');
  }
  const port = url.port ? Number(url.port) : 3306;
  return { kind: 'mysql', url: raw.replace(/^mariadb:/, 'mysql:'), host: url.hostname, port, database };
}

/** A rate limit variable: "N" (N per second) or "N/WINDOW_MS"; 0 disables it. */
function rateLimit(env: Env, name: string, fallback: RateLimitConfig): RateLimitConfig {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d{1,9})(?:\/(\d{1,10}))?$/.exec(raw);
  if (!match) throw new ConfigError(name, `expected "N" or "N/WINDOW_MS", got "${raw}"`);
  const windowMs = match[2] === undefined ? 1000 : Number(match[2]);
  if (windowMs < 1) throw new ConfigError(name, 'the window must be at least 1 ms');
  return { points: Number(match[1]), windowMs };
}

const DURATION_UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** JWT_EXPIRES_IN: seconds ("3600") or a number with a unit ("30m", "12h", "7d"); one minute to thirty days. */
function durationSeconds(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d{1,9})([smhd]?)$/.exec(raw);
  if (!match)
    throw new ConfigError(
      name,
      `expected seconds or a number with s, m, h or d (3600, 30m, 12h, 7d), got "${raw}"`,
    );
  const seconds = Number(match[1]) * DURATION_UNIT_SECONDS[match[2] || 's'];
  if (seconds < min || seconds > max)
    throw new ConfigError(name, `expected ${min} s to ${max} s, got ${seconds} s`);
  return seconds;
}

/** CORS_ORIGIN: a comma-separated list of origins (scheme://host[:port]), or "*". */
function corsOrigins(env: Env): string[] {
  const raw = nonEmpty(env, 'CORS_ORIGIN');
  if (raw === undefined) return [];
  if (raw === '*') return ['*'];
  return raw.split(',').map((origin) => {
    const trimmed = origin.trim();
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new ConfigError('CORS_ORIGIN', `"${trimmed}" is not an origin (scheme://host[:port])`);
    }
    if (parsed.origin !== trimmed)
      throw new ConfigError('CORS_ORIGIN', `"${trimmed}" is not an origin; did you mean ${parsed.origin}?`);
    return trimmed;
  });
}

/** WEB_DIR: the built web app to serve; `off` serves none. Default: the repo's apps/web/dist. */
function webDirOf(env: Env, repoRoot: string): string | null {
  const raw = nonEmpty(env, 'WEB_DIR');
  if (raw?.toLowerCase() === 'off') return null;
  const dir = raw ?? 'apps/web/dist';
  return isAbsolute(dir) ? dir : resolve(repoRoot, dir);
}

const isLogLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);

/** Validates the environment into an AppConfig; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env, repoRoot: string, machine: MachineFacts = readMachine()): AppConfig {
  const nodeEnv = nonEmpty(env, 'NODE_ENV') ?? 'development';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const metricsPort =
    nonEmpty(env, 'METRICS_PORT') === undefined ? null : integer(env, 'METRICS_PORT', 0, 0, 65535);
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port)
    throw new ConfigError('METRICS_PORT', 'must differ from PORT');
  const logLevel = nonEmpty(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!isLogLevel(logLevel))
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const rawDataDir = nonEmpty(env, 'DATA_DIR') ?? 'data';
  const dataDir = isAbsolute(rawDataDir) ? rawDataDir : resolve(repoRoot, rawDataDir);
  const rawDatabaseUrl = nonEmpty(env, 'DATABASE_URL');
  const database: DatabaseConfig = rawDatabaseUrl
    ? parseDatabaseUrl(rawDatabaseUrl)
    : { kind: 'sqlite', file: resolve(dataDir, 'tickets.sqlite') };

  const redisUrl = nonEmpty(env, 'REDIS_URL') ?? null;
  if (redisUrl !== null && !/^rediss?:\/\/[^/]/.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'expected redis://[USER:PASS@]HOST:PORT[/DB]');
  }
  const redisPrefix = nonEmpty(env, 'REDIS_PREFIX') ?? 'tickets:';

  const givenSecret = nonEmpty(env, 'JWT_SECRET');
  if (givenSecret === undefined && (nodeEnv === 'production' || redisUrl !== null)) {
    throw new ConfigError('JWT_SECRET', 'required when NODE_ENV=production or REDIS_URL is set');
  }
  if (givenSecret !== undefined && givenSecret.length < 16) {
    throw new ConfigError('JWT_SECRET', 'must be at least 16 characters');
  }
  // One minute to thirty days.
  const jwtLifetimeSeconds = durationSeconds(env, 'JWT_EXPIRES_IN', 12 * 3600, 60, 30 * 86_400);

  const adminEmail = nonEmpty(env, 'ADMIN_EMAIL') ?? null;
  const adminPassword = nonEmpty(env, 'ADMIN_PASSWORD') ?? null;
  if (adminEmail !== null && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError('ADMIN_EMAIL', 'not an email address');
  }
  if (adminPassword !== null && adminPassword.length < 8) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters');
  }
  if (adminPassword !== null && adminEmail === null) {
    throw new ConfigError('ADMIN_EMAIL', 'required when ADMIN_PASSWORD is set');
  }

  return new AppConfig({
    nodeEnv,
    port,
    metricsPort,
    logLevel,
    database,
    dataDir,
    redisUrl,
    redisPrefix,
    jwtSecret: givenSecret ?? generateJwtSecret(),
    jwtSecretGenerated: givenSecret === undefined,
    jwtSecretFile: null,
    jwtLifetimeSeconds,
    adminEmail,
    adminPassword,
    corsOrigins: corsOrigins(env),
    socketPolling: bool(env, 'SOCKET_POLLING', false),
    trustProxy: integer(env, 'TRUST_PROXY', 0, 0, 10),
    abuseLimits: {
      loginPerAddress: rateLimit(env, 'LOGIN_RATE_LIMIT', { points: 30, windowMs: 15 * 60_000 }),
      loginFailuresPerAccount: integer(env, 'LOGIN_FAILURES_BEFORE_LOCKOUT', 5, 1, 1000),
      loginLockoutMs: integer(env, 'LOGIN_LOCKOUT_MS', 60_000, 1000, 86_400_000),
      registerPerAddress: rateLimit(env, 'REGISTER_RATE_LIMIT', { points: 10, windowMs: 3600_000 }),
      reservePerUser: rateLimit(env, 'RESERVE_RATE_LIMIT', { points: 10, windowMs: 1000 }),
      readsPerUser: rateLimit(env, 'READ_RATE_LIMIT', { points: 50, windowMs: 1000 }),
    },
    passwordHashCost: integer(env, 'PASSWORD_HASH_COST', 17, 10, 20),
    // One second (tests) to a day.
    holdTtlSeconds: durationSeconds(env, 'HOLD_TTL', 600, 1, 86_400),
    holdSweepMs: integer(env, 'HOLD_SWEEP_MS', 1000, 50, 60_000),
    holdWarningSeconds: integer(env, 'HOLD_WARNING_SECONDS', 60, 0, 3600),
    defaultHoldsPerUser: integer(env, 'DEFAULT_HOLDS_PER_USER', 1, 1, 1_000_000),
    seedDemo: bool(env, 'SEED_DEMO', database.kind === 'sqlite'),
    feedPollMs: integer(env, 'FEED_POLL_MS', 2000, 100, 600000),
    broadcastIntervalMs: integer(env, 'BROADCAST_INTERVAL_MS', 50, 0, 10000),
    broadcastShards: integer(env, 'BROADCAST_SHARDS', 8, 1, 256),
    // Two workers at least, so a rebuild runs beside the index that keeps answering reads.
    indexWorkers: integer(env, 'INDEX_WORKERS', Math.max(2, Math.min(4, machine.cores - 1)), 1, 64),
    webDir: webDirOf(env, repoRoot),
    // One second (tests) to ten minutes; the default leaves the heaviest requests (100,000-ticket bulk adds) a wide margin.
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 15_000, 1000, 600_000),
    // One second to ten minutes; under the orchestrator's grace period (Docker's default is 10 s).
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 8000, 1000, 600_000),
    // An eighth of the machine's memory, at most 2 GiB by default (an index takes ~4.4 bytes per unit of its ticket total).
    indexMemoryBytes:
      integer(
        env,
        'INDEX_MEMORY_MB',
        Math.min(2048, Math.floor(machine.memoryBytes / MIB / 8)),
        16,
        1_048_576,
      ) * MIB,
  });
}
