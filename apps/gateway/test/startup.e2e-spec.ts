import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthResponse, EventView } from '@tickets/protocol';
import { ensureGatewayBuilt, GATEWAY_DIR, REPO_ROOT } from './cluster/gateway-process';
import { expectEventually } from './support/expect-eventually';

const MAIN = join(GATEWAY_DIR, 'dist/main.js');

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs the production entry with exactly this environment (plus PATH) until it exits or `until` matches. */
function runMain(
  env: Record<string, string>,
  until?: RegExp,
  timeoutMs = 30_000,
): Promise<Outcome & { kill: () => void; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (until?.test(output)) {
        clearTimeout(timer);
        resolve({
          code: null,
          output,
          kill: () => child.kill('SIGTERM'),
          stop: () => (child.kill('SIGTERM'), exited),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, kill: () => undefined, stop: () => exited });
    });
  });
}

/** The generated admin's email from the log, and the password from the file the log names. */
function generatedAdmin(output: string): { email: string; password: string; file: string } {
  const match = /Admin login: (\S+), password generated into (\S+) /.exec(output);
  if (!match) throw new Error(`no generated admin in: ${output}`);
  return { email: match[1], file: match[2], password: readFileSync(match[2], 'utf8').trim() };
}

describe('the production entry (dist/main.js)', () => {
  let dataDir: string;
  beforeAll(() => {
    ensureGatewayBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'tickets-start-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fails fast naming DATABASE_URL when it is malformed', async () => {
    const outcome = await runMain({ DATABASE_URL: 'postgres://user@host/db', DATA_DIR: dataDir });
    expect(outcome.code).not.toBe(0);
    expect(outcome.output).toContain('DATABASE_URL');
    expect(outcome.output).toContain('mysql://USER:PASS@HOST:PORT/DB');
  });

  it('fails fast naming DATABASE_URL when the database cannot be reached', async () => {
    const outcome = await runMain({
      DATABASE_URL: 'mysql://root:secret-pw@127.0.0.1:1/tickets',
      DATA_DIR: dataDir,
      PORT: '0',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.output).toMatch(/database at 127\.0\.0\.1:1\/tickets \(DATABASE_URL\) failed/);
    expect(outcome.output).not.toContain('secret-pw');
  });

  it('names any other bad variable', async () => {
    const outcome = await runMain({ PORT: 'eighty', DATA_DIR: dataDir });
    expect(outcome.code).not.toBe(0);
    expect(outcome.output).toContain('PORT');
  });

  it('starts on the embedded default: SQLite under DATA_DIR, an admin whose password is in an owner-only file (never logged), demo event', async () => {
    const port = String(30000 + Math.floor(Math.random() * 20000));
    const run = await runMain({ DATA_DIR: dataDir, PORT: port }, /Demo event \d+ created/);
    try {
      const login = generatedAdmin(run.output);
      expect(login.file).toBe(join(dataDir, 'admin-password'));
      expect(statSync(login.file).mode & 0o777).toBe(0o600);
      expect(run.output).not.toContain(login.password);
      const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: login.email, password: login.password }),
      });
      expect(response.status).toBe(200);
      const { accessToken, user } = (await response.json()) as AuthResponse;
      expect(user.role).toBe('admin');
      // Hashed at the default cost: scrypt N = 2^17, r = 8, p = 1.
      const database = new Database(join(dataDir, 'tickets.sqlite'), { readonly: true });
      try {
        const row = database.prepare('SELECT password_hash FROM users WHERE email = ?').get(login.email) as {
          password_hash: string;
        };
        expect(row.password_hash).toMatch(/^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      } finally {
        database.close();
      }
      // The demo's level count is computed in the background after the start.
      await expectEventually(async () => {
        const events = (await (
          await fetch(`http://127.0.0.1:${port}/api/events`, {
            headers: { Authorization: `Bearer ${accessToken}` },
          })
        ).json()) as EventView[];
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ name: 'Demo event', totalTickets: 500, availableTickets: 500 });
        expect(events[0].levelCount).toBeGreaterThan(100);
      });
    } finally {
      run.kill();
    }
  });

  it('keeps its generated JWT secret in DATA_DIR: a token survives a restart, and the secret is never printed', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'tickets-restart-'));
    const port = (): string => String(30000 + Math.floor(Math.random() * 20000));
    try {
      const firstPort = port();
      // The secret's line is the last one of the start.
      const first = await runMain({ DATA_DIR: ownDir, PORT: firstPort }, /JWT_SECRET not set/);
      const login = generatedAdmin(first.output);
      const response = await fetch(`http://127.0.0.1:${firstPort}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: login.email, password: login.password }),
      });
      const { accessToken } = (await response.json()) as AuthResponse;
      await first.stop();

      const secretFile = join(ownDir, 'jwt-secret');
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      const secondPort = port();
      const second = await runMain({ DATA_DIR: ownDir, PORT: secondPort }, /API on/);
      try {
        const events = await fetch(`http://127.0.0.1:${secondPort}/api/events`, {
          headers: { Authorization: `Bearer ${accessToken}` },
        });
        expect(events.status).toBe(200);
        const secret = readFileSync(secretFile, 'utf8');
        expect(first.output + second.output).toContain(secretFile);
        expect(first.output + second.output).not.toContain(secret);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});
