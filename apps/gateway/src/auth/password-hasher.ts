import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
/** Hashes computed at once: each takes 128 × N × r bytes (128 MiB at N = 2^17). */
const CONCURRENT_HASHES = 2;

interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

export interface Verification {
  ok: boolean;
  /** The hash was made with weaker parameters than configured now: store a new one. */
  needsRehash: boolean;
}

/**
 * scrypt password hashes, stored as `scrypt$logN$r$p$salt$key` (base64url), at N = 2^PASSWORD_HASH_COST
 * (default 2^17, r = 8, p = 1: OWASP's minimum for scrypt). Hashes of the earlier format
 * (`scrypt$16384$salt$key`) still verify, and ask to be replaced. Hashing runs on libuv's thread
 * pool, at most CONCURRENT_HASHES at a time so memory stays bounded.
 */
@Injectable()
export class PasswordHasher {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  /** Verified against when an email is unknown, so a sign-in costs the same either way. */
  private dummy: Promise<string> | null = null;

  constructor(private readonly config: AppConfig) {}

  async hash(password: string): Promise<string> {
    const params = this.wanted();
    const salt = randomBytes(16);
    const key = await this.derive(password, salt, params);
    return `scrypt$${params.logN}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  async verify(password: string, stored: string): Promise<Verification> {
    const parsed = parseHash(stored);
    if (!parsed) return { ok: false, needsRehash: false };
    const actual = await this.derive(password, parsed.salt, parsed.params);
    const ok = actual.length === parsed.key.length && timingSafeEqual(actual, parsed.key);
    const wanted = this.wanted();
    return { ok, needsRehash: ok && (parsed.params.logN < wanted.logN || parsed.params.r < wanted.r) };
  }

  /** The work of a verification, for an account that does not exist. */
  async verifyNobody(password: string): Promise<void> {
    this.dummy ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(password, await this.dummy);
  }

  private wanted(): ScryptParams {
    return { logN: this.config.passwordHashCost, r: BLOCK_SIZE, p: PARALLELISM };
  }

  private async derive(password: string, salt: Buffer, { logN, r, p }: ScryptParams): Promise<Buffer> {
    await this.slot();
    try {
      const N = 2 ** logN;
      return await new Promise<Buffer>((resolve, reject) =>
        scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
          error ? reject(error) : resolve(key),
        ),
      );
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  private async slot(): Promise<void> {
    if (this.running >= CONCURRENT_HASHES) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
  }
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return null;
  if (parts.length === 4 && parts[1] === '16384') {
    // The earlier format: N = 2^14, r = 8, p = 1.
    return {
      params: { logN: 14, r: 8, p: 1 },
      salt: Buffer.from(parts[2], 'base64url'),
      key: Buffer.from(parts[3], 'base64url'),
    };
  }
  if (parts.length !== 6) return null;
  const [logN, r, p] = parts.slice(1, 4).map(Number);
  if (![logN, r, p].every(Number.isInteger) || logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16)
    return null;
  return {
    params: { logN, r, p },
    salt: Buffer.from(parts[4], 'base64url'),
    key: Buffer.from(parts[5], 'base64url'),
  };
}
