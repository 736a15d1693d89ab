import { AppConfig, loadConfig } from './app-config';

/** The only place that reads process.env. */
export function loadEnvironmentConfig(repoRoot: string): AppConfig {
  return loadConfig(process.env, repoRoot);
}
