/**
 * A TCP proxy a fault test puts between the gateways and a shared service (MariaDB, Redis), so it
 * can take the service away from them without stopping it for the other tests on the machine.
 * `cut()` kills every connection through it and refuses new ones (as a stopped server would);
 * `freeze()` keeps every connection open but passes no byte either way and leaves new ones
 * unanswered (as a network partition would); `restore()` ends either.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | null;
}

export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private frozen = false;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private listenPort: number,
  ) {}

  /** A proxy to host:port on a free local port. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort, 0);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** The service is gone: open connections die, new ones are refused. */
  async cut(): Promise<void> {
    this.frozen = false;
    const server = this.server;
    this.server = null;
    for (const pair of this.pairs) this.destroy(pair);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The network drops everything: open connections stay up but carry nothing, new ones get no answer. */
  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) this.hold(pair);
  }

  /** The service is back, on the same port: after a cut, new connections are accepted; after a freeze, every connection carries on. */
  async restore(): Promise<void> {
    if (this.frozen) {
      this.frozen = false;
      for (const pair of this.pairs) this.forward(pair);
    }
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    await this.cut();
  }

  private forward(pair: Pair): void {
    pair.upstream ??= this.connectUpstream(pair);
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
    pair.client.resume();
    pair.upstream.resume();
  }

  private hold(pair: Pair): void {
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  }

  private connectUpstream(pair: Pair): Socket {
    const upstream = connect(this.targetPort, this.targetHost);
    upstream.on('error', () => this.destroy(pair)).on('close', () => this.destroy(pair));
    return upstream;
  }

  private destroy(pair: Pair): void {
    pair.client.destroy();
    pair.upstream?.destroy();
    this.pairs.delete(pair);
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => {
      const pair: Pair = { client, upstream: null };
      this.pairs.add(pair);
      client.on('error', () => this.destroy(pair)).on('close', () => this.destroy(pair));
      // Frozen: accepted (the kernel would anyway) but never answered until restored.
      if (this.frozen) this.hold(pair);
      else this.forward(pair);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (typeof address === 'object' && address) this.listenPort = address.port;
    this.server = server;
  }
}
