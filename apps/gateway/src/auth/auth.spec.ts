import jwt from 'jsonwebtoken';
import { scryptSync } from 'node:crypto';
import { Clock } from '../common/clock';
import { loadConfig } from '../config/app-config';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';

describe('PasswordHasher', () => {
  // The lowest cost the configuration allows keeps the test quick; the format records it.
  const hasher = new PasswordHasher(loadConfig({ PASSWORD_HASH_COST: '10' }, '/r'));
  const stronger = new PasswordHasher(loadConfig({ PASSWORD_HASH_COST: '11' }, '/r'));

  it('verifies the right password only, with a fresh salt per hash', async () => {
    const first = await hasher.hash('correct horse');
    const second = await hasher.hash('correct horse');
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
    expect(first).toMatch(/^scrypt\$10\$8\$1\$/);
    await expect(hasher.verify('correct horse', first)).resolves.toEqual({ ok: true, needsRehash: false });
    await expect(hasher.verify('wrong horse', first)).resolves.toEqual({ ok: false, needsRehash: false });
    await expect(hasher.verify('correct horse', 'plain-text')).resolves.toEqual({
      ok: false,
      needsRehash: false,
    });
  });

  it('asks for a new hash when the stored one is weaker than configured now', async () => {
    const weak = await hasher.hash('correct horse');
    await expect(stronger.verify('correct horse', weak)).resolves.toEqual({ ok: true, needsRehash: true });
    await expect(stronger.verify('wrong horse', weak)).resolves.toEqual({ ok: false, needsRehash: false });
  });

  it('still verifies hashes of the earlier format (N = 2^14) and asks to replace them', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('old password', salt, 32, { N: 16384, r: 8, p: 1 });
    const legacy = `scrypt$16384$${salt.toString('base64url')}$${key.toString('base64url')}`;
    // Verifying takes the stored parameters; only hashing would take the configured 2^15.
    const configuredAbove = new PasswordHasher(loadConfig({ PASSWORD_HASH_COST: '15' }, '/r'));
    await expect(configuredAbove.verify('old password', legacy)).resolves.toEqual({
      ok: true,
      needsRehash: true,
    });
    await expect(configuredAbove.verify('other password', legacy)).resolves.toEqual({
      ok: false,
      needsRehash: false,
    });
  });
});

/** Time that moves only when the test says. */
class ManualClock extends Clock {
  constructor(public nowAt: number) {
    super();
  }
  override nowMs(): number {
    return this.nowAt;
  }
}

describe('TokenService', () => {
  // Now, held still: the tokens below that jsonwebtoken signs by the real clock are in their lifetime.
  const clock = new ManualClock(Date.now());
  const tokens = new TokenService(
    loadConfig({ JWT_SECRET: 'a'.repeat(32), JWT_EXPIRES_IN: '3600' }, '/r'),
    clock,
  );
  const other = new TokenService(loadConfig({ JWT_SECRET: 'b'.repeat(32) }, '/r'), clock);

  it('round-trips the user, token version and a token id, expiring JWT_EXPIRES_IN seconds later', () => {
    const { token, claims } = tokens.sign({ id: 7, tokenVersion: 3 });
    expect(tokens.verify(token)).toEqual(claims);
    expect(claims).toMatchObject({ userId: 7, tokenVersion: 3 });
    expect(claims.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    // An hour from the whole second it was issued in (the README's JWT_EXPIRES_IN=3600 once gave 3.6 seconds).
    expect(claims.expiresAt).toBe(Math.floor(clock.nowAt / 1000) * 1000 + 3600_000);
    expect(tokens.sign({ id: 7, tokenVersion: 3 }).claims.tokenId).not.toBe(claims.tokenId);
  });

  it('refuses a token from the second it expires, by the injected clock', () => {
    const start = clock.nowAt;
    try {
      const { token, claims } = tokens.sign({ id: 7, tokenVersion: 0 });
      clock.nowAt = claims.expiresAt - 1;
      expect(tokens.verify(token)).toEqual(claims);
      clock.nowAt = claims.expiresAt;
      expect(() => tokens.verify(token)).toThrow(
        expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'Invalid or expired access token' }),
      );
    } finally {
      clock.nowAt = start;
    }
  });

  it.each([
    ['no token', undefined],
    ['an empty one', ''],
    ['garbage', 'garbage'],
    ['one signed with another secret', other.sign({ id: 7, tokenVersion: 0 }).token],
    [
      'one without a token version',
      jwt.sign({}, 'a'.repeat(32), { subject: '7', jwtid: 'x', expiresIn: 60 }),
    ],
    [
      'one with a non-numeric subject',
      jwt.sign({ tv: 0 }, 'a'.repeat(32), { subject: 'admin', jwtid: 'x', expiresIn: 60 }),
    ],
    [
      'one signed with "none"',
      jwt.sign({ tv: 0 }, '', { algorithm: 'none', subject: '7', jwtid: 'x', expiresIn: 60 }),
    ],
    [
      'an expired one',
      jwt.sign({ tv: 0, exp: Math.floor(clock.nowAt / 1000) - 10 }, 'a'.repeat(32), {
        subject: '7',
        jwtid: 'x',
      }),
    ],
  ])('refuses %s as UNAUTHENTICATED', (_name, token) => {
    expect(() => tokens.verify(token)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
