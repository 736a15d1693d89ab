/**
 * Several gateway replicas sharing one fresh MariaDB database and one Redis (own DB number and
 * key prefix), the production topology minus the load balancer. Everything it starts is torn
 * down by stop(), including the database and the Redis keys, also when startup fails halfway.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { ScratchDatabase } from '../support/scratch-database';
import { TEST_GATEWAY_ENV } from '../support/test-env';
import { ensureGatewayBuilt, freePort, GatewayReplica } from './gateway-process';

const REDIS_SERVER_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface GatewayClusterOptions {
  /** Names the database (`<owner>_<random>`) and the Redis key prefix. */
  owner: string;
  replicas: number;
  redisDb: number;
  /** Extra environment for every replica, e.g. RESERVE_RATE_LIMIT. */
  env?: Record<string, string>;
  /**
   * Local ports the replicas reach MariaDB and Redis through instead (a fault test's TcpProxy);
   * the test itself and the clean-up still use the servers directly.
   */
  through?: { databasePort?: number; redisPort?: number };
}

/** The URL with its host and port replaced by 127.0.0.1:port. */
function viaPort(url: string, port: number | undefined): string {
  if (port === undefined) return url;
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString().replace(/\/$/, '');
}

export interface AdminCredentials {
  email: string;
  password: string;
}

export class GatewayCluster {
  private constructor(
    readonly replicas: GatewayReplica[],
    readonly database: ScratchDatabase,
    readonly admin: AdminCredentials,
    private readonly redisUrl: string,
    private readonly redisPrefix: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(options: GatewayClusterOptions): Promise<GatewayCluster> {
    ensureGatewayBuilt();
    const database = await ScratchDatabase.create(options.owner);
    const redisUrl = `${REDIS_SERVER_URL}/${options.redisDb}`;
    const redisPrefix = `${options.owner}-${randomBytes(4).toString('hex')}:`;
    // Generated per run: nothing secret lives in the repository.
    const admin = {
      email: `admin-${randomBytes(3).toString('hex')}@cluster.test`,
      password: randomBytes(12).toString('hex'),
    };
    const env: Record<string, string> = {
      DATABASE_URL: viaPort(database.url, options.through?.databasePort),
      REDIS_URL: viaPort(redisUrl, options.through?.redisPort),
      REDIS_PREFIX: redisPrefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      ...TEST_GATEWAY_ENV,
      ...options.env,
    };
    const cluster = new GatewayCluster([], database, admin, redisUrl, redisPrefix, env);
    try {
      // One after the other: the first replica runs the migrations and seeds the admin on an
      // empty database, the next ones find them done (a rolling start, as in production).
      for (let index = 0; index < options.replicas; index += 1) await cluster.addReplica();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Starts one more replica with the same environment (scaling out; named A, B, C...) and waits until it is ready. */
  async addReplica(): Promise<GatewayReplica> {
    const replica = new GatewayReplica(
      String.fromCharCode(65 + this.replicas.length),
      await freePort(),
      this.env,
    );
    this.replicas.push(replica);
    await replica.waitForReady();
    return replica;
  }

  logs(): string {
    return this.replicas.map((replica) => replica.logs()).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.replicas.map((replica) => replica.stop()));
    await Promise.allSettled([this.database.drop(), this.deleteRedisKeys()]);
  }

  private async deleteRedisKeys(): Promise<void> {
    const redis = new Redis(this.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
