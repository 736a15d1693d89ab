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

  it('ends the session when the token expires under an open page', () => {
    localStorage.setItem('tickets.session', JSON.stringify(authResponse(NOW / 1000 + 60)));
    const session = useSessionStore();
    session.restore();
    expect(session.isSignedIn).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toBe(SESSION_EXPIRED_MESSAGE);
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
});
