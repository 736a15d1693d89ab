import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Clock } from '../common/clock';
import { Timers } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { FanOut } from '../realtime/fan-out';
import { SocketServer, type TicketsSocket } from '../realtime/socket-server';
import { DrainState } from './drain-state';
import { InFlight } from './in-flight';

/**
 * Time kept, out of SHUTDOWN_TIMEOUT_MS, for what Nest closes after the drain (the socket and HTTP
 * servers, Redis, the database, the index workers): past the drain's share, the drain is cut short.
 */
function closingReserveMs(timeoutMs: number): number {
  return Math.min(2000, Math.floor(timeoutMs / 4));
}

/**
 * Graceful shutdown on SIGTERM and SIGINT (enableShutdownHooks delivers them here, before Nest
 * closes the socket server, the HTTP server and the database):
 *
 * 1. readiness answers 503 at once (DrainState);
 * 2. the replica stops accepting connections: a balancer's next attempt is refused and goes to
 *    another replica (nginx: proxy_next_upstream), and HTTP responses still on their way close
 *    their connection;
 * 3. the fan-out hands over what it holds, and from now on sends each change at once;
 * 4. each socket is sent away once every message it sent is acknowledged (its reservation made or
 *    refused, and the client told): the engine writes what is buffered, then closes the
 *    transport, so the client sees a lost connection, reconnects through the balancer to another
 *    replica and rejoins its event by version (socket.disconnect() would tell it not to
 *    reconnect); in-flight HTTP requests are answered;
 * 5. Nest closes the rest; whatever is still open SHUTDOWN_TIMEOUT_MS after the signal is cut and
 *    the process exits with status 1.
 *
 * app.close() without a signal (the integration tests) skips all this.
 */
@Injectable()
export class GracefulShutdown implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly inFlight = new InFlight<TicketsSocket>();

  constructor(
    private readonly config: AppConfig,
    private readonly drain: DrainState,
    private readonly adapterHost: HttpAdapterHost,
    private readonly sockets: SocketServer,
    private readonly fanOut: FanOut,
    private readonly timers: Timers,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    // Before Express, so a response it sends at once still gets the header.
    this.httpServer()?.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      const done = this.inFlight.request();
      if (this.drain.draining) response.setHeader('Connection', 'close');
      response.once('close', done);
    });
    this.sockets.server?.on('connection', (socket: TicketsSocket) => this.track(socket));
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (signal === undefined || this.drain.draining) return;
    const startedAt = this.clock.monotonicMs();
    this.drain.begin(signal);
    const timeoutMs = this.config.shutdownTimeoutMs;
    // Not cancelled: it also bounds what Nest closes after this hook. Unref'd, so a process that
    // finished closing exits without waiting for it.
    this.timers.after(timeoutMs, () => {
      this.logger.error(
        `${signal}: still closing ${timeoutMs} ms after the signal (SHUTDOWN_TIMEOUT_MS); exiting`,
      );
      process.exit(1);
    });

    const http = this.httpServer();
    // Refuses new connections from now on; the ones open are closed below.
    if (http?.listening) http.close();
    this.fanOut.beforeApplicationShutdown();
    const sockets = [...(this.sockets.server?.sockets.sockets.values() ?? [])];
    this.logger.log(
      `${signal}: draining (readiness 503, no new connections), ${sockets.length} socket(s), ${this.inFlight.pendingMessages} message(s) and ${this.inFlight.pendingRequests} request(s) in flight`,
    );

    const drained = Promise.all([
      ...sockets.map((socket) => this.sendAway(socket)),
      this.inFlight.settled(),
    ]).then(() => true);
    let cutShort: (inTime: false) => void = () => undefined;
    const budget = this.timers.after(Math.max(0, timeoutMs - closingReserveMs(timeoutMs)), () =>
      cutShort(false),
    );
    const inTime = await Promise.race([drained, new Promise<false>((resolve) => (cutShort = resolve))]);
    budget.cancel();
    if (!inTime) {
      this.logger.warn(
        `${signal}: drain cut short: ${this.inFlight.pendingMessages} message(s) and ${this.inFlight.pendingRequests} request(s) still unanswered`,
      );
      for (const socket of this.sockets.server?.sockets.sockets.values() ?? []) socket.conn.close();
      http?.closeAllConnections();
    } else {
      http?.closeIdleConnections();
    }
    this.logger.log(`${signal}: drained in ${Math.round(this.clock.monotonicMs() - startedAt)} ms`);
  }

  /** Counts each message a handler will acknowledge, until the acknowledgement is sent. */
  private track(socket: TicketsSocket): void {
    socket.use((packet, next) => {
      const ack: unknown = packet.at(-1);
      // A message nobody handles was already answered by the gateway's catch-all (onAny runs before this).
      if (typeof ack === 'function' && socket.listenerCount(packet[0]) > 0) {
        const done = this.inFlight.message(socket);
        packet[packet.length - 1] = (...answer: unknown[]): void => {
          (ack as (...args: unknown[]) => void)(...answer);
          done();
        };
      }
      next();
    });
    socket.once('disconnect', () => this.inFlight.forget(socket));
    // Its handshake finished after the drain began: send it on at once.
    if (this.drain.draining) void this.sendAway(socket);
  }

  /**
   * Resolves once the connection is closed: the engine first writes what it buffered (the last
   * acknowledgement may wait there for the transport), and Nest's closing of the socket server
   * afterwards would discard it.
   */
  private async sendAway(socket: TicketsSocket): Promise<void> {
    await this.inFlight.socketSettled(socket);
    const { conn } = socket;
    if (conn.readyState === 'closed') return;
    await new Promise<void>((resolve) => {
      conn.once('close', () => resolve());
      conn.close();
    });
  }

  private httpServer(): HttpServer | null {
    const adapter = this.adapterHost.httpAdapter as { getHttpServer(): HttpServer | undefined } | undefined;
    return adapter?.getHttpServer() ?? null;
  }
}
