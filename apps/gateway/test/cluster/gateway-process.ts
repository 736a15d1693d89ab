/**
 * Runs the built gateway (`dist/main.js`) as a real child process, the way production does, so a
 * test or benchmark can run several replicas, SIGKILL one, and read its memory from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const GATEWAY_DIR = resolve(__dirname, '../..');
export const REPO_ROOT = resolve(GATEWAY_DIR, '../..');

/** Children still alive; killed synchronously if the parent exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/**
 * Compiles the gateway and the workspace packages it loads at runtime when their `dist` is
 * missing or older than their sources. Plain `tsc` rather than nx: this may run inside an nx task.
 */
export function ensureGatewayBuilt(): void {
  const projects = ['packages/protocol', 'packages/clearance', 'apps/gateway'];
  const tsc = join(REPO_ROOT, 'node_modules/.bin/tsc');
  for (const project of projects) {
    const dir = join(REPO_ROOT, project);
    const entry = join(dir, project === 'apps/gateway' ? 'dist/main.js' : 'dist/index.js');
    if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(dir, 'src'))) continue;
    const result = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`building ${project} failed:\n${result.stdout}\n${result.stderr}`);
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Node flags that make a process write a V8 CPU profile on exit into BENCH_CPU_PROF=DIR (bench:realtime), if set. */
export function cpuProfileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Reads a `kB` field such as VmHWM or VmRSS from /proc/<pid>/status; null once the process is gone. */
export function readProcKb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const LOG_LINES_KEPT = 300;

export class GatewayReplica {
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly logLines: string[] = [];
  private peakKb = 0;
  private readonly exitPromise: Promise<number | string | null>;
  private exited = false;

  constructor(
    readonly name: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(process.execPath, [...cpuProfileArgs(), 'dist/main.js'], {
      cwd: GATEWAY_DIR,
      env: { ...process.env, NODE_ENV: 'production', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(this.child);
    this.exitPromise = new Promise((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        liveChildren.delete(this.child);
        resolveExit(signal ?? code);
      });
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.logLines.push(line);
        if (this.logLines.length > LOG_LINES_KEPT) this.logLines.shift();
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  logs(): string {
    return this.logLines.map((line) => `[${this.name}] ${line}`).join('\n');
  }

  /** Polls /api/readyz until the replica says it is ready (migrations done, DB and Redis up). */
  async waitForReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`replica ${this.name} exited during startup:\n${this.logs()}`);
      try {
        const response = await fetch(`${this.url}/api/readyz`, { signal: AbortSignal.timeout(2_000) });
        const body = (await response.json().catch(() => null)) as { status?: string } | null;
        if (response.ok && body?.status === 'ok') return;
        lastProblem = `HTTP ${response.status} ${JSON.stringify(body)}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
    throw new Error(`replica ${this.name} not ready after ${timeoutMs} ms (${lastProblem}):\n${this.logs()}`);
  }

  /** Peak resident set size (VmHWM) in kB; remembered so it survives the process. */
  peakRssKb(): number {
    const now = readProcKb(this.child.pid, 'VmHWM');
    if (now !== null && now > this.peakKb) this.peakKb = now;
    return this.peakKb;
  }

  /** SIGKILL: the crash case; no shutdown hook runs. */
  async crash(): Promise<void> {
    this.peakRssKb();
    if (!this.exited) this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    this.peakRssKb();
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
