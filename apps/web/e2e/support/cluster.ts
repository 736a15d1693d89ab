/**
 * The product as the browser tests and the benchmark see it: gateway replicas on one fresh MariaDB
 * database and one Redis (own key prefix), sharing a JWT secret, each serving the built app.
 */
import type { Server } from 'node:http';
import { createScratchDatabase, type ScratchDatabase } from './database';
import { assertBuilt, freePort, GatewayProcess, randomSuffix } from './gateway';
import { startStaticProxy } from './staticProxy';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Credentials {
  email: string;
  password: string;
}

export interface Cluster {
  replicas: GatewayProcess[];
  /** Where the app is opened for each replica (the replica itself once it serves the app). */
  appUrls: string[];
  admin: Credentials;
  stop(): Promise<void>;
}

/** Whether the replica serves the SPA at `/` (the gateway's static serving has landed). */
async function servesApp(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) });
    return response.ok && (response.headers.get('content-type') ?? '').includes('text/html');
  } catch {
    return false;
  }
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
    // Abuse limits off (the gateway's tests cover them; a test signs in and scrolls faster than
    // people, all from one address behind the test proxy) and a cheaper password hash (2^12).
    LOGIN_RATE_LIMIT: '0',
    REGISTER_RATE_LIMIT: '0',
    RESERVE_RATE_LIMIT: '0',
    READ_RATE_LIMIT: '0',
    PASSWORD_HASH_COST: '12',
    ...(options.redis === false ? {} : { REDIS_URL, REDIS_PREFIX: `tickets-e2e-${randomSuffix()}:` }),
    ...options.env,
  };
  const replicas: GatewayProcess[] = [];
  const proxies: Server[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await Promise.all(proxies.map((proxy) => new Promise<void>((resolve) => proxy.close(() => resolve()))));
    for (const proxy of proxies) proxy.closeAllConnections();
    await database.drop();
  };
  try {
    // One after the other: the first runs the migrations and creates the admin.
    for (let index = 0; index < options.replicas; index += 1) {
      const replica = new GatewayProcess(`replica-${String.fromCharCode(97 + index)}`, await freePort(), env);
      replicas.push(replica);
      await replica.start();
    }
    const appUrls: string[] = [];
    for (const replica of replicas) {
      if (await servesApp(replica.url)) {
        appUrls.push(replica.url);
        continue;
      }
      // TEMPORARY until the gateway serves apps/web/dist: see staticProxy.ts.
      const port = await freePort();
      proxies.push(await startStaticProxy(port, replica.port));
      appUrls.push(`http://127.0.0.1:${port}`);
    }
    return { replicas, appUrls, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
