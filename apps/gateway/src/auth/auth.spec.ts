import jwt from 'jsonwebtoken';
import { scryptSync } from 'node:crypto';
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
    await expect(hasher.verify('correct horse', 'plain-text')).resolves.toEqual({ ok: false, needsRehash: false });
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
    await expect(configuredAbove.verify('old password', legacy)).resolves.toEqual({ ok: true, needsRehash: true });
    await expect(configuredAbove.verify('other password', legacy)).resolves.toEqual({ ok: false, needsRehash: false });
  });
});

describe('TokenService', () => {
  const tokens = new TokenService(loadConfig({ JWT_SECRET: 'a'.repeat(32), JWT_EXPIRES_IN: '3600' }, '/r'));
  const other = new TokenService(loadConfig({ JWT_SECRET: 'b'.repeat(32) }, '/r'));

  it('round-trips the user, token version and a token id, expiring JWT_EXPIRES_IN seconds later', () => {
    const before = Date.now();
    const { token, claims } = tokens.sign({ id: 7, tokenVersion: 3 });
    expect(tokens.verify(token)).toEqual(claims);
    expect(claims).toMatchObject({ userId: 7, tokenVersion: 3 });
    expect(claims.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    // An hour, to the second (the README's JWT_EXPIRES_IN=3600 once gave 3.6 seconds).
    expect(claims.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(claims.expiresAt).toBeLessThanOrEqual(before + 3600_000 + 1000);
    expect(tokens.sign({ id: 7, tokenVersion: 3 }).claims.tokenId).not.toBe(claims.tokenId);
  });

  it.each([
    ['no token', undefined],
    ['an empty one', ''],
    ['garbage', 'garbage'],
    ['one signed with another secret', other.sign({ id: 7, tokenVersion: 0 }).token],
    ['one without a token version', jwt.sign({}, 'a'.repeat(32), { subject: '7', jwtid: 'x', expiresIn: 60 })],
    ['one with a non-numeric subject', jwt.sign({ tv: 0 }, 'a'.repeat(32), { subject: 'admin', jwtid: 'x', expiresIn: 60 })],
    ['one signed with "none"', jwt.sign({ tv: 0 }, '', { algorithm: 'none', subject: '7', jwtid: 'x', expiresIn: 60 })],
    ['an expired one', jwt.sign({ tv: 0, exp: Math.floor(Date.now() / 1000) - 10 }, 'a'.repeat(32), { subject: '7', jwtid: 'x' })],
  ])('refuses %s as UNAUTHENTICATED', (_name, token) => {
    expect(() => tokens.verify(token)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
