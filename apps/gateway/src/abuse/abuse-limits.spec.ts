import { Clock } from '../common/clock';
import { RedisClients } from '../common/redis-clients';
import { loadConfig } from '../config/app-config';
import { AbuseLimits, lockoutMs, retryAfterSeconds } from './abuse-limits';

describe('lockoutMs', () => {
  it('doubles with each lockout, up to a day', () => {
    expect([1, 2, 3, 4].map((n) => lockoutMs(60_000, n))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(lockoutMs(60_000, 12)).toBe(86_400_000);
    expect(lockoutMs(60_000, 1000)).toBe(86_400_000);
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds, at least one', () => {
    expect([0, 1, 999, 1000, 1001, 59_500].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 2, 60]);
  });
});

describe('AbuseLimits in memory', () => {
  function limits(env: Record<string, string>): AbuseLimits {
    const config = loadConfig(env, '/r');
    return new AbuseLimits(config, new RedisClients(config, new Clock()));
  }

  it('locks an account after its failures in a row, for the address and any other', async () => {
    const abuse = limits({
      LOGIN_FAILURES_BEFORE_LOCKOUT: '2',
      LOGIN_LOCKOUT_MS: '30000',
      LOGIN_RATE_LIMIT: '0',
    });
    await abuse.beforeLogin('a', 'who@x.y');
    await abuse.loginFailed('a', 'who@x.y');
    await abuse.beforeLogin('a', 'who@x.y');
    await abuse.loginFailed('b', 'WHO@x.y ');
    await expect(abuse.beforeLogin('c', 'who@x.y')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 30,
    });
    await expect(abuse.beforeLogin('c', 'other@x.y')).resolves.toBeUndefined();
  });

  it('forgets the failures of an account that signs in', async () => {
    const abuse = limits({ LOGIN_FAILURES_BEFORE_LOCKOUT: '2', LOGIN_RATE_LIMIT: '0' });
    await abuse.loginFailed('a', 'who@x.y');
    await abuse.loginSucceeded('who@x.y');
    await abuse.loginFailed('a', 'who@x.y');
    await expect(abuse.beforeLogin('a', 'who@x.y')).resolves.toBeUndefined();
  });

  it('turns a limit off at 0 points', async () => {
    const abuse = limits({ RESERVE_RATE_LIMIT: '0', READ_RATE_LIMIT: '1/60000' });
    for (let i = 0; i < 100; i++) await abuse.reserve(1);
    await abuse.read(1);
    await expect(abuse.read(1)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 60 });
    await expect(abuse.read(2)).resolves.toBeUndefined();
  });

  it('counts RESERVE_RATE_LIMIT attempts per user over its window, then answers RATE_LIMITED until the window ends', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const abuse = limits({ RESERVE_RATE_LIMIT: '3/10000' });
      for (let i = 0; i < 3; i++) await abuse.reserve(1);
      await expect(abuse.reserve(1)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 10 });
      await expect(abuse.reserve(2)).resolves.toBeUndefined();
      jest.advanceTimersByTime(4000);
      await expect(abuse.reserve(1)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 6 });
      jest.advanceTimersByTime(6000);
      await expect(abuse.reserve(1)).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
