import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { StartupService } from './bootstrap/startup.service';
import { ConfigError, type AppConfig } from './config/app-config';
import { loadEnvironmentConfig } from './config/environment';
import { configureApp } from './configure-app';
import { AppLogger } from './observability/logging';

/** The repo root: dist/main.js lives in apps/gateway/dist. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

function describeStartupError(error: unknown, config: AppConfig): string {
  const message = error instanceof Error ? error.message : String(error);
  if (config.database.kind === 'mysql') {
    const { host, port, database } = config.database;
    return `Cannot start: database at ${host}:${port}/${database} (DATABASE_URL) failed: ${message}`;
  }
  return `Cannot start: ${message}`;
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadEnvironmentConfig(REPO_ROOT);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      bodyParser: false,
      abortOnError: false,
      // Held until the JSON logger below takes over, so start-up lines are JSON too.
      bufferLogs: true,
    });
    const logger = new AppLogger(app.get(Logger));
    app.useLogger(logger);
    await configureApp(app, config);
    const report = await app.get(StartupService).prepare();
    await app.listen(config.port);
    const url = `http://localhost:${config.port}`;
    const log = (line: string): void => logger.log(line, 'Gateway');
    log(
      `API on ${url}/api, Socket.IO on ${url}/socket.io (${config.database.kind}${config.redisUrl ? ' + redis' : ''})`,
    );
    if (config.webDir === null) log('Web app not served here (WEB_DIR=off)');
    else if (existsSync(join(config.webDir, 'index.html'))) log(`Web app on ${url}/`);
    else log(`Web app not built: no ${join(config.webDir, 'index.html')} (npx pnpm@10.34.8 build)`);
    if (report.adminEmail) {
      log(
        report.generatedAdminPasswordFile
          ? `Admin login: ${report.adminEmail}, password generated into ${report.generatedAdminPasswordFile} (owner-only; change it once signed in, then delete the file)`
          : `Admin login: ${report.adminEmail} (password from ADMIN_PASSWORD or set earlier)`,
      );
    }
    if (report.demoEventId !== null) log(`Demo event ${report.demoEventId} created with 500 tickets`);
    if (config.jwtSecretFile)
      log(
        `JWT_SECRET not set: signing with the secret kept in ${config.jwtSecretFile} (set JWT_SECRET in production)`,
      );
    else if (config.jwtSecretGenerated)
      log(
        'JWT_SECRET not set and DATA_DIR/jwt-secret not usable: a random per-process secret; tokens end with the process',
      );
  } catch (error) {
    // Nest's own lines of a failed start are still held (bufferLogs) when it failed before useLogger.
    NestLogger.flush();
    process.stderr.write(`${describeStartupError(error, config)}\n`);
    process.exit(1);
  }
}

void main();
