import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { Database } from '../database/database';
import { parseSessionMessage, SessionsService, type RedisClientsPort } from './sessions.service';
import { TokenService } from './token.service';
import { UserEntity } from './user.entity';

describe('parseSessionMessage', () => {
  it('reads the two kinds of message', () => {
    expect(parseSessionMessage('{"kind":"user-changed","userId":4}')).toEqual({
      kind: 'user-changed',
      userId: 4,
    });
    expect(parseSessionMessage('{"kind":"token-revoked","userId":4,"tokenId":"t","expiresAt":5}')).toEqual({
      kind: 'token-revoked',
      userId: 4,
      tokenId: 't',
      expiresAt: 5,
    });
  });

  it.each([
    '{',
    '7',
    'null',
    '{"kind":"user-changed","userId":0}',
    '{"kind":"user-changed","userId":"4"}',
    '{"kind":"token-revoked","userId":4}',
    '{"kind":"drop","userId":4}',
  ])('refuses %s', (raw) => {
    expect(parseSessionMessage(raw)).toBeNull();
  });
});

/** Time that moves only when the test says. */
class ManualClock extends Clock {
  nowAt = Date.now();
  override nowMs(): number {
    return this.nowAt;
  }
}

/** Redis pub/sub between the replicas of a test, in memory: every subscriber of a channel gets each message. */
class FakeBus {
  private readonly handlers = new Map<string, ((message: string) => void)[]>();
  subscribe(channel: string, handler: (message: string) => void): void {
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
  }
  publish(channel: string, message: string): void {
    for (const handler of this.handlers.get(channel) ?? []) handler(message);
  }
}

/** One replica's Redis clients on the bus; no command connection (revocations are told, not stored). */
class FakeRedisClients implements RedisClientsPort {
  readonly command = null;
  readonly warnings: string[] = [];
  constructor(private readonly bus: FakeBus) {}
  channel(name: string): string {
    return `test:${name}`;
  }
  async subscribe(name: string, handler: (message: string) => void): Promise<void> {
    this.bus.subscribe(this.channel(name), handler);
  }
  async publish(name: string, message: string): Promise<void> {
    this.bus.publish(this.channel(name), message);
  }
  warn(source: string): void {
    this.warnings.push(source);
  }
}

describe('SessionsService', () => {
  let dataSource: DataSource;
  let clock: ManualClock;
  let tokens: TokenService;
  let userId: number;
  /** Two replicas on one database and one bus. */
  let here: SessionsService;
  let there: SessionsService;
  let bus: FakeBus;

  beforeEach(async () => {
    // The users table in an in-memory SQLite database: the test changes a user behind the services' backs.
    dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [UserEntity],
      synchronize: true,
    }).initialize();
    userId = (
      await dataSource.getRepository(UserEntity).save({
        email: 'who@example.test',
        passwordHash: 'x',
        displayName: 'Who',
        role: 'attendee',
        tokenVersion: 0,
        createdAt: new Date(0),
      })
    ).id;
    clock = new ManualClock();
    bus = new FakeBus();
    tokens = new TokenService(
      loadConfig({ JWT_SECRET: 'a'.repeat(32), JWT_EXPIRES_IN: '3600' }, '/r'),
      clock,
    );
    const database = new Database(dataSource);
    here = new SessionsService(tokens, database, new FakeRedisClients(bus), clock);
    there = new SessionsService(tokens, database, new FakeRedisClients(bus), clock);
    await here.onApplicationBootstrap();
    await there.onApplicationBootstrap();
  });

  afterEach(() => dataSource.destroy());

  const setRole = (role: string) => dataSource.getRepository(UserEntity).update({ id: userId }, { role });

  it("acts with the user's role as cached for a minute, then as the database has it", async () => {
    const { token } = tokens.sign({ id: userId, tokenVersion: 0 });
    expect(await there.resolve(token)).toMatchObject({ userId, role: 'attendee' });
    await setRole('admin');
    clock.nowAt += 59_999;
    expect(await there.resolve(token)).toMatchObject({ role: 'attendee' });
    clock.nowAt += 1;
    expect(await there.resolve(token)).toMatchObject({ role: 'admin' });
  });

  it('takes a role change announced by another replica at the next request, and tells its listeners', async () => {
    const { token } = tokens.sign({ id: userId, tokenVersion: 0 });
    const ended: number[] = [];
    there.onEnded((id) => ended.push(id));
    expect(await there.resolve(token)).toMatchObject({ role: 'attendee' });
    await setRole('admin');
    await here.userChanged(userId);
    expect(ended).toEqual([userId]);
    expect(await there.resolve(token)).toMatchObject({ role: 'admin' });
  });

  it('ends a session signed out on another replica, and one whose token version is gone', async () => {
    const first = tokens.sign({ id: userId, tokenVersion: 0 });
    const second = tokens.sign({ id: userId, tokenVersion: 0 });
    await here.revoke(await here.resolve(first.token));
    await expect(there.resolve(first.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'You signed out; sign in again',
    });
    expect(await there.resolve(second.token)).toMatchObject({ userId });
    await dataSource.getRepository(UserEntity).update({ id: userId }, { tokenVersion: 1 });
    await here.userChanged(userId);
    await expect(there.resolve(second.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Your session ended; sign in again',
    });
  });

  it('refuses an expired token, and ends a socket session when its token runs out, by the injected clock', async () => {
    const { token, claims } = tokens.sign({ id: userId, tokenVersion: 0 });
    const principal = await there.resolve(token);
    clock.nowAt = claims.expiresAt - 1;
    await expect(there.recheck(principal)).resolves.toMatchObject({ userId, role: 'attendee' });
    clock.nowAt = claims.expiresAt;
    await expect(there.resolve(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(there.recheck(principal)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Your session expired; sign in again',
    });
  });

  it('drops a malformed message on the sessions channel, telling nobody', async () => {
    const ended: number[] = [];
    there.onEnded((id) => ended.push(id));
    bus.publish('test:sessions', '{"kind":"user-changed","userId":"everyone"}');
    expect(ended).toEqual([]);
    bus.publish('test:sessions', `{"kind":"user-changed","userId":${userId}}`);
    expect(ended).toEqual([userId]);
  });
});
