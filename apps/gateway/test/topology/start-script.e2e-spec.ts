/**
 * `pnpm start` hands signals on: after the build, the root `start` script execs `pnpm run
 * start:built`, which execs the gateway, and pnpm passes SIGTERM and SIGINT to its script. This
 * runs `start:built` (the build is what the other tests already did) through pnpm as `start`
 * runs it, signals pnpm alone, and checks that the port is released and nothing of the process
 * group is left. (npx runs pnpm through a shell that does not pass SIGTERM on: see README.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from '../support/expect-eventually';
import { TEST_GATEWAY_ENV } from '../support/test-env';
import { ensureGatewayBuilt, freePort, REPO_ROOT } from '../cluster/gateway-process';

const PNPM_VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string }
).packageManager.split('@')[1];

/** The pnpm the README's commands run (npx's copy), called directly so the test signals pnpm itself. */
function pnpmBinary(): string {
  const found = spawnSync('npx', ['-y', `pnpm@${PNPM_VERSION}`, 'exec', 'which', 'pnpm'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const path = found.stdout.trim().split('\n').at(-1) ?? '';
  if (found.status !== 0 || path === '') throw new Error(`cannot find pnpm ${PNPM_VERSION}: ${found.stderr}`);
  return path;
}

/** Does any process of the group still exist? (signal 0 checks without sending.) */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let pnpm: string;
const dataDirs: string[] = [];
const launched: ChildProcess[] = [];

beforeAll(() => {
  ensureGatewayBuilt();
  pnpm = pnpmBinary();
}, 120_000);

afterAll(() => {
  for (const child of launched)
    if (child.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('pnpm start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops the gateway and every process under pnpm on %s, releasing the port',
    async (signal) => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'start-script-'));
      dataDirs.push(dataDir);
      const output: string[] = [];
      // Its own process group (pnpm leads it), so the test can tell whether anything under pnpm is left.
      const child = spawn(pnpm, ['run', '--silent', 'start:built'], {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...TEST_GATEWAY_ENV,
          PORT: String(port),
          DATA_DIR: dataDir,
          WEB_DIR: 'off',
          SEED_DEMO: 'false',
          DATABASE_URL: '',
          REDIS_URL: '',
        },
      });
      launched.push(child);
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const pgid = child.pid!;

      await expectEventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/api/readyz`);
          expect(response.status).toBe(200);
        },
        60_000,
        200,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${output.join('')}`);
      });

      process.kill(pgid, signal); // pnpm only, not its group
      await exited;
      await expectEventually(() => expect(groupAlive(pgid)).toBe(false), 20_000);
      expect(await portAnswers(port)).toBe(false);
    },
    120_000,
  );
});
