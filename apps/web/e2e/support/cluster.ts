/**
 * The product as the browser tests and the benchmark see it: gateway replicas on one fresh MariaDB
 * database and one Redis (own key prefix), sharing a JWT secret, each serving the built app.
 */
import { createScratchDatabase, type ScratchDatabase } from './database';
import { assertBuilt, freePort, GatewayProcess, randomSuffix } from './gateway';
import { WEB_DIST } from './paths';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Credentials {
  email: string;
  password: string;
}

export interface Cluster {
  /** Each serves the API, the socket and the built app on its own `url`. */
  replicas: GatewayProcess[];
  admin: Credentials;
  stop(): Promise<void>;
}

/** A replica that does not answer `/` with the app's HTML would fail every test obscurely: say so once. */
async function assertServesApp(replica: GatewayProcess): Promise<void> {
  const response = await fetch(`${replica.url}/`, { signal: AbortSignal.timeout(5000) });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.includes('text/html'))
    throw new Error(
      `${replica.name} answers / with ${response.status} ${type}, not the app in ${WEB_DIST}:\n${replica.logText()}`,
    );
}

export async function startCluster(options: {
  replicas: number;
  redis?: boolean;
  env?: Record<string, string>;
}): Promise<Cluster> {
  assertBuilt();
  const database: ScratchDatabase = await createScratchDatabase('tickets_e2e');
  const admin: Credentials = {
    email: `admin-${randomSuffix()}@e2e.test`,
    password: `pw-${randomSuffix()}${randomSuffix()}`,
  };
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    JWT_SECRET: `${randomSuffix()}${randomSuffix()}${randomSuffix()}${randomSuffix()}`,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    SEED_DEMO: 'false',
    WEB_DIR: WEB_DIST,
    // Abuse limits off (the gateway's tests cover them; a test signs in and scrolls faster than
    // people, all from one address) and a cheaper password hash (2^12 instead of 2^17).
    LOGIN_RATE_LIMIT: '0',
    REGISTER_RATE_LIMIT: '0',
    RESERVE_RATE_LIMIT: '0',
    READ_RATE_LIMIT: '0',
    PASSWORD_HASH_COST: '12',
    DEFAULT_HOLDS_PER_USER: '1000000',
    ...(options.redis === false ? {} : { REDIS_URL, REDIS_PREFIX: `tickets-e2e-${randomSuffix()}:` }),
    ...options.env,
  };
  const replicas: GatewayProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database.drop();
  };
  try {
    // One after the other: the first runs the migrations and creates the admin.
    for (let index = 0; index < options.replicas; index += 1) {
      const replica = new GatewayProcess(`replica-${String.fromCharCode(97 + index)}`, await freePort(), env);
      replicas.push(replica);
      await replica.start();
      await assertServesApp(replica);
    }
    return { replicas, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
