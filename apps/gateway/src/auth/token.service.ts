import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tickets/protocol';
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';

/** Who a verified token speaks for. */
export interface AuthPrincipal {
  userId: number;
  role: string;
}

/** Signs and verifies access tokens (HS256 JWTs). */
@Injectable()
export class TokenService {
  /** Built once: given a string, jsonwebtoken would try to parse it as a public key on every call. */
  private readonly key: KeyObject;

  constructor(private readonly config: AppConfig) {
    this.key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
  }

  sign(principal: AuthPrincipal): string {
    return jwt.sign({ role: principal.role }, this.key, {
      algorithm: 'HS256',
      subject: String(principal.userId),
      expiresIn: this.config.jwtExpiresIn as jwt.SignOptions['expiresIn'],
    });
  }

  /** Throws UNAUTHENTICATED for a missing, malformed, expired or forged token. */
  verify(token: string | undefined | null): AuthPrincipal {
    if (!token) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Missing access token');
    try {
      const payload = jwt.verify(token, this.key, { algorithms: ['HS256'] });
      if (typeof payload !== 'object' || typeof payload.role !== 'string' || !/^\d+$/.test(payload.sub ?? '')) {
        throw new Error('bad claims');
      }
      return { userId: Number(payload.sub), role: payload.role };
    } catch {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid or expired access token');
    }
  }
}
