import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthService } from '../auth/auth.service';
import { RandomSource } from '../common/random-source';
import { AppConfig } from '../config/app-config';
import { EventsService } from '../events/events.service';
import { TicketsService } from '../tickets/tickets.service';
import { StartupDatabase } from './startup-database';

const DEFAULT_ADMIN_EMAIL = 'admin@example.com';

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
 * What StartupService uses of its injected collaborators, by name: the unit test's fakes
 * implement exactly these (Nest still injects the classes, named by @Inject).
 */
export type StartupDatabasePort = Pick<StartupDatabase, 'isSqlite' | 'underLock' | 'migrate' | 'warmPool'>;
export type AuthServicePort = Pick<AuthService, 'findByEmail' | 'createUser'>;
export type EventsServicePort = Pick<EventsService, 'list' | 'create'>;
export type TicketsServicePort = Pick<TicketsService, 'createRandom'>;

/**
 * Runs the migrations and the first-start bootstrap (admin, demo event). On MySQL this holds a
 * named lock so replicas starting together migrate once.
 */
@Injectable()
export class StartupService {
  private readonly logger = new Logger('Startup');

  constructor(
    @Inject(StartupDatabase) private readonly database: StartupDatabasePort,
    private readonly config: AppConfig,
    @Inject(AuthService) private readonly auth: AuthServicePort,
    @Inject(EventsService) private readonly events: EventsServicePort,
    @Inject(TicketsService) private readonly tickets: TicketsServicePort,
    private readonly random: RandomSource,
  ) {}

  async prepare(): Promise<StartupReport> {
    if (this.database.isSqlite) return this.migrateAndSeed();
    const report = await this.database.underLock(() => this.migrateAndSeed());
    await this.database.warmPool();
    return report;
  }

  private async migrateAndSeed(): Promise<StartupReport> {
    const applied = await this.database.migrate();
    if (applied.length > 0) this.logger.log(`applied migrations: ${applied.join(', ')}`);
    const admin = await this.ensureAdmin();
    const demoEventId = await this.ensureDemo();
    return { ...admin, demoEventId };
  }

  private async ensureAdmin(): Promise<Pick<StartupReport, 'adminEmail' | 'generatedAdminPasswordFile'>> {
    const email =
      this.config.adminEmail?.toLowerCase() ?? (this.config.seedDemo ? DEFAULT_ADMIN_EMAIL : null);
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
