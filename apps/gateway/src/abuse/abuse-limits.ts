import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { createHash } from 'node:crypto';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../common/app-error';
import { RedisClients } from '../common/redis-clients';
import { AppConfig, type RateLimitConfig } from '../config/app-config';

/** Lockouts are counted over this long; a quiet day starts the doubling again. */
const LOCKOUT_MEMORY_SECONDS = 86_400;
/** No lockout lasts longer than a day. */
const LONGEST_LOCKOUT_MS = 86_400_000;

/** How long the account's nth lockout (1-based) lasts: the first one's length, doubled each time, at most a day. */
export function lockoutMs(firstLockoutMs: number, lockoutNumber: number): number {
  return Math.min(LONGEST_LOCKOUT_MS, firstLockoutMs * 2 ** Math.max(0, Math.min(30, lockoutNumber - 1)));
}

/** The whole seconds a client waits before retrying (the Retry-After header): at least one. */
export function retryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/** RATE_LIMITED, saying when to retry. */
export class RateLimitedError extends AppError {
  override readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Every abuse limit of the product, REST and socket alike, on rate-limiter-flexible: counted in
 * Redis when REDIS_URL is set (one budget across replicas; a memory limiter takes over while
 * Redis is unreachable, and RedisClients logs the outage), in memory otherwise.
 *
 * - sign-in: failed attempts per address (LOGIN_RATE_LIMIT); failed attempts in a row per account
 *   (LOGIN_FAILURES_BEFORE_LOCKOUT) lock the account for LOGIN_LOCKOUT_MS, doubling with each
 *   lockout in a day. A success clears the account's count.
 * - registration per address (REGISTER_RATE_LIMIT).
 * - reservations per user (RESERVE_RATE_LIMIT), one budget for REST and socket.
 * - level pages and combinations per user (READ_RATE_LIMIT), REST and socket.
 *
 * Accounts are keyed by a hash of the email, so Redis never holds addresses of people.
 */
@Injectable()
export class AbuseLimits {
  private readonly loginByAddress: RateLimiterAbstract | null;
  private readonly failuresByAccount: RateLimiterAbstract;
  private readonly lockoutsByAccount: RateLimiterAbstract;
  /** Blocked keys only (block()); its points are never consumed. */
  private readonly lockedAccounts: RateLimiterAbstract;
  private readonly registerByAddress: RateLimiterAbstract | null;
  private readonly reserveByUser: RateLimiterAbstract | null;
  private readonly readsByUser: RateLimiterAbstract | null;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisClients,
  ) {
    const limits = config.abuseLimits;
    this.loginByAddress = this.limiter('login-address', limits.loginPerAddress);
    this.failuresByAccount = this.limiter('login-failures', {
      points: limits.loginFailuresPerAccount,
      windowMs: LOCKOUT_MEMORY_SECONDS * 1000,
    })!;
    this.lockoutsByAccount = this.limiter('login-lockouts', {
      points: 1_000_000,
      windowMs: LOCKOUT_MEMORY_SECONDS * 1000,
    })!;
    this.lockedAccounts = this.limiter('login-locked', { points: 1, windowMs: 1000 })!;
    this.registerByAddress = this.limiter('register-address', limits.registerPerAddress);
    this.reserveByUser = this.limiter('reserve-user', limits.reservePerUser);
    this.readsByUser = this.limiter('reads-user', limits.readsPerUser);
  }

  /** Before a sign-in is checked: RATE_LIMITED when the address spent its attempts or the account is locked. */
  async beforeLogin(address: string, email: string): Promise<void> {
    if (this.loginByAddress) {
      const spent = await this.loginByAddress.get(address);
      if (spent && spent.remainingPoints <= 0) {
        throw new RateLimitedError(
          'Too many failed sign-ins from this address; retry later',
          retryAfterSeconds(spent.msBeforeNext),
        );
      }
    }
    const locked = await this.lockedAccounts.get(accountKey(email));
    if (locked && locked.remainingPoints <= 0) {
      throw new RateLimitedError(
        'This account is locked after failed sign-ins; retry later',
        retryAfterSeconds(locked.msBeforeNext),
      );
    }
  }

  /** A wrong password (or unknown email): counts against the address and the account, locking it at the limit. */
  async loginFailed(address: string, email: string): Promise<void> {
    const account = accountKey(email);
    await this.loginByAddress?.consume(address).catch(ignoreRejection);
    const failures = await this.failuresByAccount.consume(account).catch(asResult);
    if (failures && failures.remainingPoints > 0) return;
    await this.failuresByAccount.delete(account);
    const lockouts = await this.lockoutsByAccount.consume(account).catch(asResult);
    const ms = lockoutMs(this.config.abuseLimits.loginLockoutMs, lockouts?.consumedPoints ?? 1);
    await this.lockedAccounts.block(account, ms / 1000);
  }

  /** The right password: the account's failures in a row start again. */
  async loginSucceeded(email: string): Promise<void> {
    await this.failuresByAccount.delete(accountKey(email));
  }

  /** One registration from the address. */
  async register(address: string): Promise<void> {
    await this.spend(
      this.registerByAddress,
      address,
      'Too many registrations from this address; retry later',
    );
  }

  /** One reservation attempt of the user (REST or socket). */
  async reserve(userId: number): Promise<void> {
    await this.spend(this.reserveByUser, String(userId), 'Too many reservation attempts; retry shortly');
  }

  /** One level page or combination read of the user (REST or socket). */
  async read(userId: number): Promise<void> {
    await this.spend(this.readsByUser, String(userId), 'Too many level reads; retry shortly');
  }

  private async spend(limiter: RateLimiterAbstract | null, key: string, message: string): Promise<void> {
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        throw new RateLimitedError(message, retryAfterSeconds(rejection.msBeforeNext));
      // Neither Redis nor the insurance limiter answered: let the call through rather than fail it.
      this.redis.warn('abuse limits', rejection);
    }
  }

  /** A limiter for `name`, or null when its limit is off (0 points). */
  private limiter(name: string, { points, windowMs }: RateLimitConfig): RateLimiterAbstract | null {
    if (points === 0) return null;
    // The library counts whole seconds.
    const duration = Math.max(1, Math.ceil(windowMs / 1000));
    const keyPrefix = `abuse-${name}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!this.redis.command) return memory;
    return new RateLimiterRedis({
      storeClient: this.redis.command,
      keyPrefix: this.redis.channel(keyPrefix),
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }
}

function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

/** consume() rejects with the result once the points are spent. */
function asResult(rejection: unknown): RateLimiterRes | null {
  return rejection instanceof RateLimiterRes ? rejection : null;
}

function ignoreRejection(): void {}
