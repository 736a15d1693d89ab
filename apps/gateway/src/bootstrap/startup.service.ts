import { Injectable, Logger } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import { RandomSource } from '../common/random-source';
import { AppConfig } from '../config/app-config';
import { MYSQL_POOL_SIZE } from '../database/data-source-options';
import { MultiStatementPool } from '../database/multi-statement-pool';
import { EventsService } from '../events/events.service';
import { TicketsService } from '../tickets/tickets.service';

const DEFAULT_ADMIN_EMAIL = 'admin@example.com';
const STARTUP_LOCK = 'tickets_startup';

export interface StartupReport {
  adminEmail: string | null;
  /**
   * Only when the password was generated here: the owner-only file it was written to
   * (DATA_DIR/admin-password). It is never logged; whoever reads the file can sign in.
   */
  generatedAdminPasswordFile: string | null;
  demoEventId: number | null;
}

/**
 * Runs the migrations and the first-start bootstrap (admin, demo event). On MySQL this holds a
 * named lock so replicas starting together migrate once.
 */
@Injectable()
export class StartupService {
  private readonly logger = new Logger('Startup');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly events: EventsService,
    private readonly tickets: TicketsService,
    private readonly random: RandomSource,
    private readonly multiStatementPool: MultiStatementPool,
  ) {}

  async prepare(): Promise<StartupReport> {
    if (this.dataSource.options.type === 'better-sqlite3') return this.migrateAndSeed();
    const report = await this.underStartupLock(() => this.migrateAndSeed());
    await this.warmPool();
    return report;
  }

  private async underStartupLock<T>(fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query('SELECT GET_LOCK(?, 120) AS locked', [STARTUP_LOCK])) as { locked: number }[];
      if (Number(row?.locked) !== 1) throw new Error('Timed out waiting for the startup lock held by another replica');
      try {
        return await fn();
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [STARTUP_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Opens the whole MySQL pool now: the pool opens connections on demand, so without this the
   * first burst of requests after a start each waits for a connection handshake.
   */
  private async warmPool(): Promise<void> {
    await Promise.all([
      ...Array.from({ length: MYSQL_POOL_SIZE }, () => this.dataSource.query('SELECT 1')),
      this.multiStatementPool.warm(),
    ]);
  }

  private async migrateAndSeed(): Promise<StartupReport> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) this.logger.log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
    const admin = await this.ensureAdmin();
    const demoEventId = await this.ensureDemo();
    return { ...admin, demoEventId };
  }

  private async ensureAdmin(): Promise<Pick<StartupReport, 'adminEmail' | 'generatedAdminPasswordFile'>> {
    const email = this.config.adminEmail?.toLowerCase() ?? (this.config.seedDemo ? DEFAULT_ADMIN_EMAIL : null);
    if (email === null) return { adminEmail: null, generatedAdminPasswordFile: null };
    if (await this.auth.findByEmail(email)) return { adminEmail: email, generatedAdminPasswordFile: null };
    if (this.config.adminPassword !== null) {
      await this.auth.createUser(email, this.config.adminPassword, 'Administrator', 'admin');
      return { adminEmail: email, generatedAdminPasswordFile: null };
    }
    const generated = this.random.token(12);
    const file = join(this.config.dataDir, 'admin-password');
    mkdirSync(this.config.dataDir, { recursive: true });
    writeFileSync(file, `${generated}\n`, { mode: 0o600 });
    await this.auth.createUser(email, generated, 'Administrator', 'admin');
    return { adminEmail: email, generatedAdminPasswordFile: file };
  }

  private async ensureDemo(): Promise<number | null> {
    if (!this.config.seedDemo || (await this.events.list()).length > 0) return null;
    const event = await this.events.create(null, { name: 'Demo event' });
    await this.tickets.createRandom(event.id, 500, 1, 60);
    return event.id;
  }
}
