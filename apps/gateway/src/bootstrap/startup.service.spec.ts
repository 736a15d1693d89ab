import type { BulkCreateTicketsResponse, EventView } from '@tickets/protocol';
import { UserEntity } from '../auth/user.entity';
import { RandomSource } from '../common/random-source';
import { loadConfig } from '../config/app-config';
import type { CreateEventDto } from '../events/dto/event.dto';
import {
  StartupService,
  type AuthServicePort,
  type EventsServicePort,
  type StartupDatabasePort,
  type TicketsServicePort,
} from './startup.service';

const MIGRATIONS = ['Initial1700000000000', 'Reservations1700000000001'];

/** One MySQL server as replicas see it at start: its named lock, its migrations, users and events; what happened, in order. */
class FakeServer {
  readonly log: string[] = [];
  readonly applied = new Set<string>();
  readonly users: UserEntity[] = [];
  readonly events: EventView[] = [];
  readonly tickets = new Map<number, number>();
  private lockTail: Promise<void> = Promise.resolve();

  /** GET_LOCK: callers get the lock one after another, in the order they asked. */
  lock(): Promise<() => void> {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.lockTail.then(() => release);
    this.lockTail = this.lockTail.then(() => released);
    return acquired;
  }
}

/** A turn of the event loop: the other replica's calls run meanwhile, as they would over the network. */
const roundTrip = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class FakeStartupDatabase implements StartupDatabasePort {
  constructor(
    private readonly server: FakeServer,
    private readonly replica: string,
    readonly isSqlite = false,
  ) {}
  async underLock<T>(fn: () => Promise<T>): Promise<T> {
    this.server.log.push(`${this.replica} asks for the lock`);
    const release = await this.server.lock();
    this.server.log.push(`${this.replica} holds the lock`);
    try {
      return await fn();
    } finally {
      this.server.log.push(`${this.replica} releases the lock`);
      release();
    }
  }
  async migrate(): Promise<string[]> {
    const pending = MIGRATIONS.filter((name) => !this.server.applied.has(name));
    for (const name of pending) {
      await roundTrip();
      this.server.applied.add(name);
    }
    this.server.log.push(`${this.replica} migrates ${pending.length}`);
    return pending;
  }
  async warmPool(): Promise<void> {
    this.server.log.push(`${this.replica} warms its pool`);
  }
}

class FakeAuth implements AuthServicePort {
  constructor(private readonly server: FakeServer) {}
  async findByEmail(email: string): Promise<UserEntity | null> {
    await roundTrip();
    return this.server.users.find((user) => user.email === email) ?? null;
  }
  async createUser(email: string, _password: string, displayName: string, role: string): Promise<UserEntity> {
    await roundTrip();
    const user = Object.assign(new UserEntity(), {
      id: this.server.users.length + 1,
      email,
      passwordHash: 'x',
      displayName,
      role,
      tokenVersion: 0,
      createdAt: new Date(0),
    });
    this.server.users.push(user);
    return user;
  }
}

class FakeEvents implements EventsServicePort {
  constructor(private readonly server: FakeServer) {}
  async list(): Promise<EventView[]> {
    await roundTrip();
    return [...this.server.events];
  }
  async create(_actorId: number | null, request: CreateEventDto): Promise<EventView> {
    await roundTrip();
    const event: EventView = {
      id: this.server.events.length + 1,
      name: request.name,
      totalTickets: 0,
      availableTickets: 0,
      levelCount: null,
      activeReservations: 0,
      holdTtlSeconds: 600,
      limits: { holdsPerUser: 1, ticketsPerUser: null, ticketsPerReservation: null },
      version: 0,
      createdAt: new Date(0).toISOString(),
    };
    this.server.events.push(event);
    return event;
  }
}

class FakeTickets implements TicketsServicePort {
  constructor(private readonly server: FakeServer) {}
  async createRandom(eventId: number, count: number): Promise<BulkCreateTicketsResponse> {
    await roundTrip();
    this.server.tickets.set(eventId, (this.server.tickets.get(eventId) ?? 0) + count);
    return { created: count, firstId: 1, lastId: count, version: 1 };
  }
}

function replica(server: FakeServer, name: string, isSqlite = false): StartupService {
  const config = loadConfig(
    {
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/tickets',
      ADMIN_EMAIL: 'Boss@Example.test',
      ADMIN_PASSWORD: 'password-123',
      SEED_DEMO: 'true',
    },
    '/r',
  );
  return new StartupService(
    new FakeStartupDatabase(server, name, isSqlite),
    config,
    new FakeAuth(server),
    new FakeEvents(server),
    new FakeTickets(server),
    new RandomSource(),
  );
}

describe('StartupService', () => {
  it('lets one of two replicas starting at the same moment migrate and seed; the other waits for the lock and finds it done', async () => {
    const server = new FakeServer();
    const [first, second] = await Promise.all([
      replica(server, 'a').prepare(),
      replica(server, 'b').prepare(),
    ]);
    const underLock = server.log.filter((entry) => !entry.endsWith('warms its pool'));
    expect(underLock).toEqual([
      'a asks for the lock',
      'b asks for the lock',
      'a holds the lock',
      'a migrates 2',
      'a releases the lock',
      'b holds the lock',
      'b migrates 0',
      'b releases the lock',
    ]);
    // Each warms its pool once it has let go of the lock.
    for (const name of ['a', 'b'])
      expect(server.log.indexOf(`${name} warms its pool`)).toBeGreaterThan(
        server.log.indexOf(`${name} releases the lock`),
      );
    expect([...server.applied]).toEqual(MIGRATIONS);
    expect(server.users.map((user) => [user.email, user.role])).toEqual([['boss@example.test', 'admin']]);
    expect(server.events.map((event) => event.name)).toEqual(['Demo event']);
    expect(server.tickets).toEqual(new Map([[1, 500]]));
    expect(first).toEqual({
      adminEmail: 'boss@example.test',
      generatedAdminPasswordFile: null,
      demoEventId: 1,
    });
    expect(second).toEqual({
      adminEmail: 'boss@example.test',
      generatedAdminPasswordFile: null,
      demoEventId: null,
    });
  });

  it('on SQLite (one process owns the file) migrates and seeds without a lock or a pool to warm', async () => {
    const server = new FakeServer();
    await expect(replica(server, 'a', true).prepare()).resolves.toEqual({
      adminEmail: 'boss@example.test',
      generatedAdminPasswordFile: null,
      demoEventId: 1,
    });
    expect(server.log).toEqual(['a migrates 2']);
    expect(server.users).toHaveLength(1);
  });
});
