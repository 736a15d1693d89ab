/**
 * Debian's nginx in front of gateway replicas, configured from deploy/nginx.conf.template (the
 * file docker-compose.yml mounts), so the test runs the balancer configuration production runs.
 * The template is http-level; this wraps it in a main configuration of its own (a scratch prefix,
 * one worker, an access log naming the replica that served each request) and an `upstream` block
 * listing the replicas, which is what Docker's DNS gives nginx in compose. Scaling is a reload
 * with another list, as a DNS answer that changes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../cluster/gateway-process';

export const NGINX_BINARY = process.env.TEST_NGINX ?? '/usr/sbin/nginx';
export const NGINX_TEMPLATE = join(REPO_ROOT, 'deploy/nginx.conf.template');
const UPSTREAM_NAME = 'gateway_replicas';

/**
 * Fills in `${NAME}` as the nginx image's envsubst does for the variables it is given; any other
 * `${...}` left in the template is an error here (the image would leave it, and nginx would fail).
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new Error(`${NGINX_TEMPLATE} uses \${${name}}, which the test does not set`);
    return value;
  });
}

/** One line per request: the path, the status, and the replica(s) nginx tried, in order. */
export interface AccessLogLine {
  uri: string;
  status: number;
  upstreams: string[];
}

export class NginxBalancer {
  private readonly exited: Promise<void>;
  private readonly output: string[] = [];
  private running = true;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.running = false;
        resolve();
      }),
    );
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts nginx on `port` in front of the replicas at `upstreams` (host:port); resolves once it answers. */
  static async start(port: number, upstreams: string[]): Promise<NginxBalancer> {
    if (!existsSync(NGINX_BINARY)) {
      throw new Error(
        `${NGINX_BINARY} not found: apt-get install -y nginx (.ci/run installs it), or set TEST_NGINX`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'nginx-balancer-'));
    // nginx's workers run as nobody when the master is root: they must reach the temp paths.
    chmodSync(dir, 0o755);
    writeFileSync(
      join(dir, 'gateway.conf'),
      renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), {
        NGINX_PORT: `127.0.0.1:${port}`,
        // The upstream block below answers the name; the resolver is never asked.
        NGINX_RESOLVER: '127.0.0.1',
        GATEWAY_UPSTREAM: UPSTREAM_NAME,
      }),
    );
    writeMainConfig(dir, upstreams);
    const child = spawn(
      NGINX_BINARY,
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const balancer = new NginxBalancer(port, dir, child);
    await balancer.waitUntilAnswering();
    return balancer;
  }

  /**
   * Points nginx at another list of replicas (what a changed DNS answer does in compose). Resolves
   * once the reload took over: new workers run and every old one has stopped accepting (it may
   * still carry open WebSockets to their end, as nginx does).
   */
  async reload(upstreams: string[]): Promise<void> {
    writeMainConfig(this.dir, upstreams);
    const before = this.workers();
    this.child.kill('SIGHUP');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const now = this.workers();
      const started = [...now.keys()].some((pid) => !before.has(pid));
      const oldOnesLeaving = [...before.keys()].every(
        (pid) => !now.has(pid) || now.get(pid)!.includes('shutting down'),
      );
      if (started && oldOnesLeaving) return;
      if (Date.now() > deadline) throw new Error(`nginx did not reload:\n${this.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The master's worker processes and their titles ("nginx: worker process is shutting down" once told to quit). */
  private workers(): Map<number, string> {
    const workers = new Map<number, string>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // Field 4 of /proc/PID/stat is the parent's pid (after the parenthesised command name).
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parent === this.child.pid)
          workers.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        // The process ended while being read.
      }
    }
    return workers;
  }

  /** Every request logged so far (a WebSocket is logged when it closes). */
  accessLog(): AccessLogLine[] {
    const file = join(this.dir, 'access.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [uri, status, ...rest] = line.split(' ');
        const upstreams = rest
          .join(' ')
          .split(/\s*,\s*/)
          .filter((address) => address !== '-' && address !== '');
        return { uri, status: Number(status), upstreams };
      });
  }

  logs(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`nginx exited:\n${this.logs()}`);
      try {
        await fetch(`${this.url}/api/healthz`, { signal: AbortSignal.timeout(2_000) });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`nginx did not answer on ${this.url}:\n${this.logs()}`);
  }
}

/** The main configuration: what the nginx image's own nginx.conf provides in compose, plus the replicas. */
function writeMainConfig(dir: string, upstreams: string[]): void {
  const servers = upstreams.map((address) => `    server ${address} max_fails=1 fail_timeout=5s;`).join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 1024; }
http {
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  # A connection per request: after a reload, no request is sent on an old worker's idle
  # connection just as that worker closes it (a client's retry, not the balancer's, would be needed).
  keepalive_timeout 0;
  log_format replicas '$request_uri $status $upstream_addr';
  access_log ${join(dir, 'access.log')} replicas;
  upstream ${UPSTREAM_NAME} {
${servers}
  }
  include ${join(dir, 'gateway.conf')};
}
`,
  );
}
