import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import { ThrottledWarnings } from '../common/throttled-warnings';
import type { AppConfig } from '../config/app-config';

/** Bytes one socket message may have. */
export const SOCKET_MESSAGE_MAX_BYTES = 16 * 1024;

/**
 * Socket.IO adapter: with REDIS_URL the server broadcasts through @socket.io/redis-adapter, so
 * room operations reach sockets on every replica. connectToRedis() must be awaited before
 * app.useWebSocketAdapter() so the server never starts without it.
 */
export class RedisIoAdapter extends IoAdapter {
  private adapterConstructor: ReturnType<typeof createAdapter> | null = null;
  private clients: Redis[] = [];
  private readonly logger = new Logger('RedisIoAdapter');

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  async connectToRedis(): Promise<void> {
    if (this.config.redisUrl === null) return;
    const pub = new Redis(this.config.redisUrl, { lazyConnect: true });
    const sub = pub.duplicate();
    this.clients = [pub, sub];
    // ioredis reconnects by itself; without a listener an 'error' would only be printed raw.
    const warnings = new ThrottledWarnings(this.logger);
    for (const client of this.clients)
      client.on('error', (error: Error) => warnings.warn('redis adapter', error));
    await Promise.all([pub.connect(), sub.connect()]);
    this.adapterConstructor = createAdapter(pub, sub, { key: `${this.config.redisPrefix}socket.io` });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      // WebSocket only unless SOCKET_POLLING: polling needs a sticky balancer and CORS.
      transports: this.config.socketPolling ? ['polling', 'websocket'] : ['websocket'],
      cors:
        this.config.socketPolling && this.config.corsOrigins.length > 0
          ? {
              origin: this.config.corsOrigins.includes('*') ? '*' : this.config.corsOrigins,
              credentials: false,
            }
          : undefined,
      allowRequest: (
        request: IncomingMessage,
        callback: (error: string | null | undefined, success: boolean) => void,
      ) => {
        const allowed = originAllowed(request, this.config);
        callback(allowed ? null : 'Origin not allowed', allowed);
      },
      // Every client message is a few fields; a larger one closes the connection before it is parsed.
      maxHttpBufferSize: SOCKET_MESSAGE_MAX_BYTES,
    }) as Server;
    if (this.adapterConstructor) server.adapter(this.adapterConstructor);
    return server;
  }

  override async dispose(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    this.clients = [];
  }
}

/**
 * Whether a handshake may come from its Origin: none (not a browser: the token still decides),
 * the gateway's own (the served web app; the Host header, or X-Forwarded-Host behind trusted
 * proxies), or one listed in CORS_ORIGIN ("*": any). Browsers always send Origin on WebSocket
 * handshakes, so another site's page cannot open a socket with a token it got hold of.
 */
export function originAllowed(
  request: Pick<IncomingMessage, 'headers'>,
  config: Pick<AppConfig, 'corsOrigins' | 'trustProxy'>,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (config.corsOrigins.includes('*') || config.corsOrigins.includes(origin)) return true;
  const forwardedHost = config.trustProxy > 0 ? request.headers['x-forwarded-host'] : undefined;
  const host =
    (Array.isArray(forwardedHost) ? forwardedHost[0] : forwardedHost)?.split(',')[0]?.trim() ??
    request.headers.host;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
