import { loadConfig } from '../config/app-config';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('verifies the right password only, with a fresh salt per hash', async () => {
    const first = await hasher.hash('correct horse');
    const second = await hasher.hash('correct horse');
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
    await expect(hasher.verify('correct horse', first)).resolves.toBe(true);
    await expect(hasher.verify('wrong horse', first)).resolves.toBe(false);
    await expect(hasher.verify('correct horse', 'plain-text')).resolves.toBe(false);
  });
});

describe('TokenService', () => {
  const tokens = new TokenService(loadConfig({ JWT_SECRET: 'a'.repeat(32) }, '/r'));
  const other = new TokenService(loadConfig({ JWT_SECRET: 'b'.repeat(32) }, '/r'));

  it('round-trips a principal', () => {
    expect(tokens.verify(tokens.sign({ userId: 7, role: 'admin' }))).toEqual({ userId: 7, role: 'admin' });
  });

  it.each([[undefined], [''], ['garbage'], [other.sign({ userId: 7, role: 'admin' })]])('refuses %p as UNAUTHENTICATED', (token) => {
    expect(() => tokens.verify(token)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
