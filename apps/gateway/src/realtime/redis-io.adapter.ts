import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
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
    for (const client of this.clients) client.on('error', (error: Error) => this.logger.warn(`redis adapter: ${error.message}`));
    await Promise.all([pub.connect(), sub.connect()]);
    this.adapterConstructor = createAdapter(pub, sub, { key: `${this.config.redisPrefix}socket.io` });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      cors: { origin: this.config.corsOrigin, credentials: true },
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
