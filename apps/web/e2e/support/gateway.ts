/**
 * Runs the built gateway (`apps/gateway/dist/main.js`) as child processes, the way production
 * does. Builds nothing: `nx` builds the gateway and the app before the `e2e` and `bench:web`
 * targets (see apps/web/package.json). The app never imports gateway code; this only spawns it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { GATEWAY_MAIN, REPO_ROOT, WEB_DIST } from './paths';

/** Children still alive; killed if the test process exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});
// A benchmark stopped with Ctrl+C or a timeout still ends its replicas.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    process.exit(130);
  });
}

export function assertBuilt(): void {
  if (!existsSync(GATEWAY_MAIN))
    throw new Error(`${GATEWAY_MAIN} is missing: run \`npx pnpm@10.34.8 build\` first`);
  if (!existsSync(`${WEB_DIST}/index.html`))
    throw new Error(`${WEB_DIST}/index.html is missing: run \`npx pnpm@10.34.8 build\` first`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const randomSuffix = (): string => randomBytes(5).toString('hex');

const LOG_LINES_KEPT = 200;

/** One gateway process; `restart()` stops it and starts the same command again on the same port. */
export class GatewayProcess {
  readonly url: string;
  private child: ChildProcess | null = null;
  private readonly log: string[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [GATEWAY_MAIN], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    liveChildren.add(child);
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      this.log.push(`[${this.name} exited: code ${code}, signal ${signal}]`);
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.log.push(line);
        if (this.log.length > LOG_LINES_KEPT) this.log.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await this.waitReady(timeoutMs);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) throw new Error(`${this.name} exited at start:\n${this.logText()}`);
      try {
        const response = await fetch(`${this.url}/api/readyz`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logText()}`);
  }

  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  logText(): string {
    return this.log.join('\n');
  }
}
