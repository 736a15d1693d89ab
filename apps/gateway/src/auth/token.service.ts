import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';

/** What a token says, once its signature and lifetime are checked (not yet whether its user still has it). */
export interface TokenClaims {
  userId: number;
  /** The user's token version when it was issued: a later one ends it. */
  tokenVersion: number;
  /** This token's id, to revoke it alone (log out). */
  tokenId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Signs and verifies access tokens (HS256 JWTs, JWT_EXPIRES_IN seconds long). */
@Injectable()
export class TokenService {
  /** Built once: given a string, jsonwebtoken would try to parse it as a public key on every call. */
  private readonly key: KeyObject;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
  }

  sign(user: { id: number; tokenVersion: number }): { token: string; claims: TokenClaims } {
    const tokenId = randomUUID();
    // Issued now by the injected clock; the lifetime counts from there.
    const token = jwt.sign({ tv: user.tokenVersion, iat: this.nowSeconds() }, this.key, {
      algorithm: 'HS256',
      subject: String(user.id),
      jwtid: tokenId,
      expiresIn: this.config.jwtLifetimeSeconds,
    });
    return { token, claims: this.verify(token) };
  }

  /** Throws UNAUTHENTICATED for a missing, malformed, expired or forged token. */
  verify(token: string | undefined | null): TokenClaims {
    if (!token) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Missing access token');
    try {
      const payload = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        clockTimestamp: this.nowSeconds(),
      });
      if (
        typeof payload !== 'object' ||
        !/^[1-9]\d{0,15}$/.test(payload.sub ?? '') ||
        !Number.isSafeInteger(payload.tv) ||
        typeof payload.jti !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        throw new Error('bad claims');
      }
      return {
        userId: Number(payload.sub),
        tokenVersion: payload.tv as number,
        tokenId: payload.jti,
        expiresAt: payload.exp * 1000,
      };
    } catch {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid or expired access token');
    }
  }

  /** JWT times are whole seconds. */
  private nowSeconds(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }
}
