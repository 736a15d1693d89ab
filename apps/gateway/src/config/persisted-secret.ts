import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig, ConfigError, GENERATED_SECRET_PATTERN, generateJwtSecret } from './app-config';

/**
 * The secret kept in `file`, created (owner-only) on first use. Throws ConfigError when the file
 * holds something else, rather than silently signing with a secret nobody chose.
 */
export function readOrCreateSecret(file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  // Written whole under a name of its own, then linked into place: the link either appears with the
  // whole secret or fails because the file exists, so two processes starting at once (or a crash
  // half-way) never leave or read a partly written secret, and both end up with the same one.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, generateJwtSecret(), { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (!GENERATED_SECRET_PATTERN.test(secret)) {
    throw new ConfigError(
      'JWT_SECRET',
      `${file} does not hold a generated secret; delete it (signing everyone out) or set JWT_SECRET`,
    );
  }
  return secret;
}

/**
 * Without JWT_SECRET, signs with a secret kept in DATA_DIR/jwt-secret, so tokens survive a
 * restart. Where that file cannot be written or read, the per-process secret stays (tokens end
 * with the process) and `jwtSecretFile` says so by being null.
 */
export function withPersistedSecret(config: AppConfig): AppConfig {
  if (!config.jwtSecretGenerated) return config;
  const file = join(config.dataDir, 'jwt-secret');
  try {
    return new AppConfig({ ...config, jwtSecret: readOrCreateSecret(file), jwtSecretFile: file });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    return config;
  }
}
