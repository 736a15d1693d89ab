import type { AuthResponse } from '@tickets/protocol';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/http';
import { fakeJwt } from '../test/fakeJwt';
import { fakeFetch } from '../test/fakeFetch';
import { SESSION_EXPIRED_MESSAGE, useSessionStore } from './session';

const NOW = Date.UTC(2026, 0, 1);
const user = { id: 3, email: 'ann@example.com', displayName: 'Ann', role: 'attendee' as const };

function authResponse(expSeconds: number): AuthResponse {
  return { accessToken: fakeJwt({ sub: 3, exp: expSeconds }), user };
}

describe('session store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    localStorage.clear();
    setActivePinia(createPinia());
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('signs in, sends the token, and survives a reload', async () => {
    const server = fakeFetch({
      'POST /api/auth/login': () => ({ status: 200, body: authResponse(NOW / 1000 + 3600) }),
      'GET /api/events': () => ({ status: 200, body: [] }),
    });
    vi.stubGlobal('fetch', server.fetch);
    const session = useSessionStore();
    await session.signIn({ email: 'ann@example.com', password: 'secret-password' });
    expect(session.isSignedIn).toBe(true);
    expect(session.expiresAt).toBe(NOW + 3_600_000);
    await api('GET', '/events');
    expect(server.calls[1].authorization).toBe(`Bearer ${session.token}`);

    setActivePinia(createPinia());
    const reloaded = useSessionStore();
    reloaded.restore();
    expect(reloaded.user).toEqual(user);
    expect(reloaded.isAdmin).toBe(false);
  });

  it('drops an expired stored session with a message', () => {
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 - 1)));
    const session = useSessionStore();
    session.restore();
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toBe(SESSION_EXPIRED_MESSAGE);
    expect(localStorage.getItem('tickets.session')).toBeNull();
  });

  it('ends the session when the token expires under an open page and could not be renewed', async () => {
    const server = fakeFetch({
      'POST /api/auth/refresh': () => ({
        status: 503,
        body: { statusCode: 503, code: 'UNAVAILABLE', message: 'Try again' },
      }),
    });
    vi.stubGlobal('fetch', server.fetch);
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 + 60)));
    const session = useSessionStore();
    session.restore();
    expect(session.isSignedIn).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.calls.map((call) => call.url)).toEqual(['/api/auth/refresh']);
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toBe(SESSION_EXPIRED_MESSAGE);
  });

  it('renews the token before it runs out, and a session:ended for the old token keeps the session', async () => {
    const renewed = authResponse(NOW / 1000 + 7200);
    const server = fakeFetch({ 'POST /api/auth/refresh': () => ({ status: 200, body: renewed }) });
    vi.stubGlobal('fetch', server.fetch);
    const first = authResponse(NOW / 1000 + 3600);
    localStorage.setItem('tickets.session', JSON.stringify(first));
    const session = useSessionStore();
    session.restore();
    await vi.advanceTimersByTimeAsync(3600_000 - 5 * 60_000 - 1);
    expect(server.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls.map((call) => `${call.method} ${call.url}`)).toEqual(['POST /api/auth/refresh']);
    expect(server.calls[0].authorization).toBe(`Bearer ${first.accessToken}`);
    expect(session.token).toBe(renewed.accessToken);
    expect(session.expiresAt).toBe(NOW + 7_200_000);
    expect(await session.afterSessionEnded(first.accessToken, 'Signed out')).toBe(true);
    // The old expiry no longer ends the session: the new token's does.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(session.isSignedIn).toBe(true);
  });

  it('ends the session when the API answers 401', async () => {
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 + 3600)));
    vi.stubGlobal(
      'fetch',
      fakeFetch({
        'GET /api/events': () => ({
          status: 401,
          body: { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Invalid or expired access token' },
        }),
      }).fetch,
    );
    const session = useSessionStore();
    session.restore();
    await expect(api('GET', '/events')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toBe(SESSION_EXPIRED_MESSAGE);
  });

  it('ignores malformed stored data and signs out cleanly', () => {
    localStorage.setItem('tickets.session', '{"accessToken": 5}');
    const session = useSessionStore();
    session.restore();
    expect(session.isSignedIn).toBe(false);
    expect(localStorage.getItem('tickets.session')).toBeNull();
  });

  it('signs out through the API, so the token stops working everywhere', async () => {
    const server = fakeFetch({
      'POST /api/auth/login': () => ({ status: 200, body: authResponse(NOW / 1000 + 3600) }),
      'POST /api/auth/logout': () => ({ status: 204 }),
    });
    vi.stubGlobal('fetch', server.fetch);
    const session = useSessionStore();
    await session.signIn({ email: 'ann@example.com', password: 'secret-password' });
    const token = session.token;
    await session.signOut();
    expect(server.calls.map((call) => `${call.method} ${call.url}`)).toContain('POST /api/auth/logout');
    expect(server.calls.at(-1)?.authorization).toBe(`Bearer ${token}`);
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toBeNull();
    expect(localStorage.getItem('tickets.session')).toBeNull();
  });

  it('signs out locally even when the server cannot be reached', async () => {
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 + 3600)));
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const session = useSessionStore();
    session.restore();
    await session.signOut();
    expect(session.isSignedIn).toBe(false);
  });

  it('signs out everywhere only when the server did, and says so on the sign-in page', async () => {
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 + 3600)));
    let answer = 503;
    vi.stubGlobal(
      'fetch',
      fakeFetch({
        'POST /api/auth/logout-everywhere': () =>
          answer === 204
            ? { status: 204 }
            : { status: 503, body: { statusCode: 503, code: 'UNAVAILABLE', message: 'Try later' } },
      }).fetch,
    );
    const session = useSessionStore();
    session.restore();
    await expect(session.signOutEverywhere()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(session.isSignedIn).toBe(true);
    answer = 204;
    await session.signOutEverywhere();
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toMatch(/signed out everywhere/);
  });

  it('goes on with the fresh token a password change answers, even when the socket is ended first', async () => {
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 + 3600)));
    const fresh = { accessToken: fakeJwt({ sub: 3, exp: NOW / 1000 + 7200 }), user };
    const held: { answer?: () => void } = {};
    const server = fakeFetch({ 'POST /api/auth/password': () => ({ status: 200, body: fresh }) });
    // The answer is held back until the server has ended the old session's socket.
    vi.stubGlobal(
      'fetch',
      (...args: Parameters<typeof fetch>) =>
        new Promise<Response>((resolve) => (held.answer = () => void server.fetch(...args).then(resolve))),
    );
    const session = useSessionStore();
    session.restore();
    const oldToken = session.token ?? '';
    const changing = session.changePassword({ currentPassword: 'old-password', newPassword: 'new-password' });
    const ended = session.afterSessionEnded(oldToken, 'Your session ended; sign in again');
    await vi.waitFor(() => expect(held.answer).toBeDefined());
    held.answer?.();
    await changing;
    await expect(ended).resolves.toBe(true);
    expect(server.calls[0].body).toEqual({ currentPassword: 'old-password', newPassword: 'new-password' });
    expect(session.token).toBe(fresh.accessToken);
    expect(JSON.parse(localStorage.getItem('tickets.session') ?? '{}').accessToken).toBe(fresh.accessToken);
  });

  it('ends the session with the server reason when its own token was ended', async () => {
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 + 3600)));
    const session = useSessionStore();
    session.restore();
    await expect(
      session.afterSessionEnded(session.token ?? '', 'You signed out; sign in again'),
    ).resolves.toBe(false);
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toBe('You signed out; sign in again');
  });
});
