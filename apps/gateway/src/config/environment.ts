import { AppConfig, loadConfig } from './app-config';
import { withPersistedSecret } from './persisted-secret';

/** The only place that reads process.env (and DATA_DIR/jwt-secret when JWT_SECRET is not set). */
export function loadEnvironmentConfig(repoRoot: string): AppConfig {
  return withPersistedSecret(loadConfig(process.env, repoRoot));
}
