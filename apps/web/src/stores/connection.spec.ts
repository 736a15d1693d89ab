import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeJwt } from '../test/fakeJwt';
import { fakeServer } from '../test/fakeServer';
import { useConnectionStore } from './connection';
import { SESSION_EXPIRED_MESSAGE, useSessionStore } from './session';

vi.mock('../realtime/socket', async () => (await import('../test/fakeServer')).fakeServer.module());

function signIn(): void {
  const accessToken = fakeJwt({ sub: 1, exp: Math.floor(Date.now() / 1000) + 3600 });
  localStorage.setItem(
    'tickets.session',
    JSON.stringify({
      accessToken,
      user: { id: 1, email: 'a@example.com', displayName: 'A', role: 'attendee' },
    }),
  );
  useSessionStore().restore();
}

describe('connection store', () => {
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
    fakeServer.reset(0);
    signIn();
  });

  it('follows the socket: live, then reconnecting with the time it was last live, then live again', () => {
    const connection = useConnectionStore();
    connection.start();
    const hooks = fakeServer.hooks;
    if (!hooks) throw new Error('socket not opened');
    hooks.status('live');
    hooks.connected();
    expect(connection.status).toBe('live');
    expect(connection.connections).toBe(1);
    hooks.status('reconnecting');
    expect(connection.status).toBe('reconnecting');
    expect(connection.lastLiveAt).not.toBeNull();
    hooks.status('live');
    hooks.connected();
    expect(connection.connections).toBe(2);
    expect(connection.lastLiveAt).toBeNull();
  });

  it('ends the session when the server refuses the token', () => {
    const connection = useConnectionStore();
    connection.start();
    fakeServer.hooks?.unauthenticated('Invalid or expired access token');
    const session = useSessionStore();
    expect(session.isSignedIn).toBe(false);
    expect(session.signInMessage).toBe(SESSION_EXPIRED_MESSAGE);
    expect(connection.status).toBe('offline');
    expect(fakeServer.hooks).toBeNull();
  });

  it('asks for a reload when the server speaks another protocol version', () => {
    const connection = useConnectionStore();
    connection.start();
    fakeServer.hooks?.upgradeRequired(
      'This server speaks protocol version 3; the client sent 2. Reload the page.',
    );
    expect(connection.upgradeMessage).toMatch(/Reload/);
    expect(connection.status).toBe('offline');
  });

  it('reconnects after session:ended only when the session holds a fresh token', async () => {
    const connection = useConnectionStore();
    const session = useSessionStore();
    connection.start();
    const endedToken = session.token ?? '';
    // This tab changed its password meanwhile: a new token is at hand.
    session.token = fakeJwt({ sub: 1, exp: Math.floor(Date.now() / 1000) + 7200 });
    fakeServer.hooks?.sessionEnded('Your session ended; sign in again', endedToken);
    await vi.waitFor(() => expect(fakeServer.reconnects).toBe(1));
    expect(session.isSignedIn).toBe(true);
    expect(fakeServer.hooks).not.toBeNull();
  });

  it('signs out with the reason, and never reconnects, when the ended token is the current one', async () => {
    const connection = useConnectionStore();
    const session = useSessionStore();
    connection.start();
    fakeServer.hooks?.sessionEnded('Your session expired; sign in again', session.token ?? '');
    await vi.waitFor(() => expect(session.isSignedIn).toBe(false));
    expect(session.signInMessage).toBe('Your session expired; sign in again');
    expect(fakeServer.reconnects).toBe(0);
    expect(fakeServer.hooks).toBeNull();
    expect(connection.status).toBe('offline');
  });
});
