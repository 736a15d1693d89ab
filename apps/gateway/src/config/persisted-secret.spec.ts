import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { readOrCreateSecret, withPersistedSecret } from './persisted-secret';

describe('the generated JWT secret kept in DATA_DIR', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tickets-secret-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created owner-only on first use and the same afterwards', () => {
    const file = join(dir, 'nested', 'jwt-secret');
    const first = readOrCreateSecret(file);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateSecret(file)).toBe(first);
    expect(readFileSync(file, 'utf8')).toBe(first);
    // The drafts it links from are gone.
    expect(readdirSync(join(dir, 'nested'))).toEqual(['jwt-secret']);
  });

  it('refuses a file that holds something else, naming JWT_SECRET', () => {
    const file = join(dir, 'jwt-secret');
    writeFileSync(file, 'not a secret');
    expect(() => readOrCreateSecret(file)).toThrow(ConfigError);
    expect(() => readOrCreateSecret(file)).toThrow(/JWT_SECRET/);
  });

  it('replaces the per-process secret in embedded mode, and stays the same across loads', () => {
    const first = withPersistedSecret(loadConfig({ DATA_DIR: dir }, '/r'));
    const second = withPersistedSecret(loadConfig({ DATA_DIR: dir }, '/r'));
    expect(first.jwtSecretFile).toBe(join(dir, 'jwt-secret'));
    expect(second.jwtSecret).toBe(first.jwtSecret);
  });

  it('leaves a given JWT_SECRET alone and writes nothing', () => {
    const config = withPersistedSecret(loadConfig({ DATA_DIR: dir, JWT_SECRET: 'x'.repeat(32) }, '/r'));
    expect(config.jwtSecret).toBe('x'.repeat(32));
    expect(config.jwtSecretFile).toBeNull();
    expect(() => statSync(join(dir, 'jwt-secret'))).toThrow();
  });

  it('keeps the per-process secret when DATA_DIR cannot be written', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const config = withPersistedSecret(loadConfig({ DATA_DIR: join(blocker, 'data') }, '/r'));
    expect(config.jwtSecretFile).toBeNull();
    expect(config.jwtSecret).toMatch(/^[0-9a-f]{64}$/);
  });
});
