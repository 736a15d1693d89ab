import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig, ConfigError } from './app-config';

/** A generated secret: 32 random bytes, hex. */
const SECRET_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The secret kept in `file`, created (owner-only) on first use. Throws ConfigError when the file
 * holds something else, rather than silently signing with a secret nobody chose.
 */
export function readOrCreateSecret(file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  try {
    // 'wx': never overwrite, so two processes starting at once end up with the same secret.
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (!SECRET_PATTERN.test(secret)) {
    throw new ConfigError('JWT_SECRET', `${file} does not hold a generated secret; delete it (signing in again) or set JWT_SECRET`);
  }
  return secret;
}

/**
 * Without JWT_SECRET (embedded mode), signs with a secret kept in DATA_DIR/jwt-secret, so tokens
 * survive a restart. Where DATA_DIR cannot be written, the per-process secret stays (tokens end
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
