import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { parseJsonObject } from '../common/json-object';
import { RedisClients } from '../common/redis-clients';
import { Database } from '../database/database';
import { TokenService, type TokenClaims } from './token.service';
import { UserEntity } from './user.entity';

/** Who a request or a socket acts for: the user as the database knows them now. */
export interface AuthPrincipal {
  userId: number;
  role: string;
  tokenVersion: number;
  tokenId: string;
  /** When the token runs out, epoch milliseconds. */
  expiresAt: number;
}

interface KnownUser {
  role: string;
  tokenVersion: number;
}

/** What replicas tell each other about sessions (channel `<prefix>sessions`). */
type SessionMessage =
  | { kind: 'user-changed'; userId: number }
  | { kind: 'token-revoked'; userId: number; tokenId: string; expiresAt: number };

/** A user read from the database is trusted this long without asking again (changes are announced sooner). */
const USER_CACHE_MS = 60_000;
/** Users kept at most. */
const CACHED_USERS = 100_000;

/**
 * What SessionsService uses of RedisClients, by name: the unit test's fake implements exactly this
 * (Nest still injects RedisClients, named by @Inject).
 */
export type RedisClientsPort = Pick<RedisClients, 'subscribe' | 'publish' | 'command' | 'channel' | 'warn'>;

/**
 * Turns a token into the user it acts for, as the database knows them now: the signature and
 * lifetime (TokenService), not revoked (log out), the user still there, at the token version the
 * token names (log out everywhere, a new password) and with their current role. Users are cached
 * briefly; a change to one (role, password, token version) or a revoked token is announced to
 * every replica over Redis, so the next request anywhere sees it, and `onEnded` listeners (the
 * socket server) re-check the user's open sessions.
 */
@Injectable()
export class SessionsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Sessions');
  private readonly users = new Map<number, { user: KnownUser | null; loadedAt: number }>();
  /** Revoked token ids, until they would have expired anyway. */
  private readonly revoked = new Map<string, number>();
  private readonly listeners: ((userId: number) => void)[] = [];

  constructor(
    private readonly tokens: TokenService,
    private readonly database: Database,
    @Inject(RedisClients) private readonly redis: RedisClientsPort,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.redis.subscribe('sessions', (raw) => this.received(raw));
    await this.loadRevoked();
  }

  /** The principal a bearer token acts for; UNAUTHENTICATED when it does not (any more). */
  async resolve(token: string | undefined | null): Promise<AuthPrincipal> {
    return this.principalOf(this.tokens.verify(token));
  }

  /** The same session, checked again (a socket before each message): UNAUTHENTICATED once it ended. */
  async recheck(principal: AuthPrincipal): Promise<AuthPrincipal> {
    if (principal.expiresAt <= this.clock.nowMs())
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Your session expired; sign in again');
    return this.principalOf({
      userId: principal.userId,
      tokenVersion: principal.tokenVersion,
      tokenId: principal.tokenId,
      expiresAt: principal.expiresAt,
    });
  }

  /** Called with a user id when one of their sessions may have ended (on every replica). */
  onEnded(listener: (userId: number) => void): void {
    this.listeners.push(listener);
  }

  /** Ends this token's session (log out), on every replica. */
  async revoke(principal: AuthPrincipal): Promise<void> {
    const message: SessionMessage = {
      kind: 'token-revoked',
      userId: principal.userId,
      tokenId: principal.tokenId,
      expiresAt: principal.expiresAt,
    };
    this.received(JSON.stringify(message));
    const ttl = Math.max(1, principal.expiresAt - this.clock.nowMs());
    try {
      await this.redis.command?.set(
        this.redis.channel(`revoked:${principal.tokenId}`),
        String(principal.expiresAt),
        'PX',
        ttl,
      );
    } catch (error) {
      this.redis.warn('revoke', error);
    }
    await this.redis.publish('sessions', JSON.stringify(message));
  }

  /** The user's role, password or token version changed: forget what was cached, everywhere. */
  async userChanged(userId: number): Promise<void> {
    const message: SessionMessage = { kind: 'user-changed', userId };
    this.received(JSON.stringify(message));
    await this.redis.publish('sessions', JSON.stringify(message));
  }

  private async principalOf(claims: TokenClaims): Promise<AuthPrincipal> {
    const revokedUntil = this.revoked.get(claims.tokenId);
    if (revokedUntil !== undefined)
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'You signed out; sign in again');
    const user = await this.user(claims.userId);
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This account no longer exists');
    if (user.tokenVersion !== claims.tokenVersion)
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Your session ended; sign in again');
    return { ...claims, role: user.role };
  }

  private async user(userId: number): Promise<KnownUser | null> {
    const cached = this.users.get(userId);
    if (cached && this.clock.nowMs() - cached.loadedAt < USER_CACHE_MS) return cached.user;
    const row = await this.database.read((manager) =>
      manager.findOne(UserEntity, {
        where: { id: userId },
        select: { id: true, role: true, tokenVersion: true },
      }),
    );
    const user = row ? { role: row.role, tokenVersion: row.tokenVersion } : null;
    this.users.set(userId, { user, loadedAt: this.clock.nowMs() });
    if (this.users.size > CACHED_USERS) this.users.delete(this.users.keys().next().value as number);
    return user;
  }

  /** A message of this replica or another: apply it, then tell the listeners. */
  private received(raw: string): void {
    const message = parseSessionMessage(raw);
    if (!message) {
      this.logger.warn('dropping a malformed sessions message');
      return;
    }
    if (message.kind === 'token-revoked') this.revoked.set(message.tokenId, message.expiresAt);
    else this.users.delete(message.userId);
    this.forgetExpiredRevocations();
    for (const listener of this.listeners) listener(message.userId);
  }

  private forgetExpiredRevocations(): void {
    const now = this.clock.nowMs();
    for (const [tokenId, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(tokenId);
  }

  /** Revocations made before this replica started (they live in Redis until their tokens would have expired). */
  private async loadRevoked(): Promise<void> {
    const redis = this.redis.command;
    if (!redis) return;
    try {
      const prefix = this.redis.channel('revoked:');
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<
        string[]
      >) {
        if (keys.length === 0) continue;
        const values = await redis.mget(...keys);
        keys.forEach((key, i) => {
          const expiresAt = Number(values[i]);
          if (Number.isFinite(expiresAt)) this.revoked.set(key.slice(prefix.length), expiresAt);
        });
      }
    } catch (error) {
      this.redis.warn('loading revoked tokens', error);
    }
  }
}

/** A sessions message, or null when it is not one (a Redis channel is not trusted blindly). */
export function parseSessionMessage(raw: string): SessionMessage | null {
  const message = parseJsonObject(raw);
  if (!message) return null;
  if (!Number.isSafeInteger(message.userId) || (message.userId as number) < 1) return null;
  if (message.kind === 'user-changed') return { kind: 'user-changed', userId: message.userId as number };
  if (
    message.kind === 'token-revoked' &&
    typeof message.tokenId === 'string' &&
    Number.isFinite(message.expiresAt)
  ) {
    return {
      kind: 'token-revoked',
      userId: message.userId as number,
      tokenId: message.tokenId,
      expiresAt: message.expiresAt as number,
    };
  }
  return null;
}
