import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { AuthResponse, CreateTicketRequest, EventView } from '@tickets/protocol';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { StartupService } from '../../src/bootstrap/startup.service';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/configure-app';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './test-database';
import { TEST_GATEWAY_ENV } from './test-env';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  database: TestDatabase;
  dataSource: DataSource;
  url: string;
  http: () => ReturnType<typeof request>;
  adminToken: string;
  /** Registers a fresh attendee and returns their token and id. */
  attendee(name?: string): Promise<{ token: string; userId: number }>;
  /** Creates an event (as the admin) with these tickets; returns its id. */
  eventWithTickets(name: string, tickets: CreateTicketRequest[]): Promise<number>;
  close(): Promise<void>;
}

/** A request whose method is chosen at run time (supertest's agent has one function per method). */
export function requestWith(
  t: TestApp,
  method: 'get' | 'post' | 'patch' | 'delete',
  path: string,
): request.Test {
  const agent = t.http();
  return agent[method](path);
}

/** Boots the real AppModule (migrations, bootstrap admin) on its own database, listening on a free port. */
export async function startTestApp(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  try {
    const config = loadConfig(
      {
        ...database.env,
        JWT_SECRET: randomBytes(24).toString('hex'),
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        SEED_DEMO: 'false',
        PORT: '0',
        ...TEST_GATEWAY_ENV,
        ...env,
      },
      REPO_ROOT,
    );
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({
      bodyParser: false,
      logger: ['error'],
    });
    await configureApp(app, config);
    await app.get(StartupService).prepare();
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const http = (): ReturnType<typeof request> => request(app.getHttpServer());
    const login = await http().post('/api/auth/login').send(ADMIN).expect(200);
    let users = 0;
    return {
      app,
      config,
      database,
      dataSource: app.get(DataSource),
      url: url.replace('[::1]', '127.0.0.1'),
      http,
      adminToken: (login.body as AuthResponse).accessToken,
      async attendee(name = `user${++users}`) {
        const response = await http()
          .post('/api/auth/register')
          .send({
            email: `${name}-${randomBytes(3).toString('hex')}@test.local`,
            password: 'password-123',
            displayName: name,
          })
          .expect(201);
        const body = response.body as AuthResponse;
        return { token: body.accessToken, userId: body.user.id };
      },
      async eventWithTickets(name, tickets) {
        const admin = bearer((login.body as AuthResponse).accessToken);
        const event = (
          await http()
            .post('/api/events')
            .set(...admin)
            .send({ name })
            .expect(201)
        ).body as EventView;
        await http()
          .post(`/api/events/${event.id}/tickets/bulk`)
          .set(...admin)
          .send({ tickets })
          .expect(201);
        return event.id;
      },
      async close() {
        await app.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

export const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];
