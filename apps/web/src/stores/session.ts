import type {
  AuthResponse,
  ChangePasswordRequest,
  LoginRequest,
  RegisterRequest,
  UserView,
} from '@tickets/protocol';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, setAuthHooks } from '../api/http';
import { jwtExpiresAt } from '../lib/jwt';

const STORAGE_KEY = 'tickets.session';

export const SESSION_EXPIRED_MESSAGE = 'Your session has expired. Please sign in again.';

/** A token is renewed this long before it runs out (a quarter of its life when that is shorter). */
const RENEW_LEAD_MS = 5 * 60_000;

interface StoredSession {
  accessToken: string;
  user: UserView;
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  if (!('accessToken' in value) || typeof value.accessToken !== 'string') return false;
  if (!('user' in value) || typeof value.user !== 'object' || value.user === null) return false;
  const user = value.user;
  // Any role's name: roles are data, an operator may add others than the built-in ones.
  return 'id' in user && 'role' in user && 'email' in user && typeof user.role === 'string';
}

/** The signed-in user and their token, kept in localStorage so a reload keeps the session. */
export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(null);
  const user = ref<UserView | null>(null);
  const expiresAt = ref<number | null>(null);
  /** Why the user was sent to sign in (an expired session), shown there once. */
  const signInMessage = ref<string | null>(null);
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** A password change or a renewal under way: its answer brings the token this tab goes on with. */
  let renewal: Promise<unknown> = Promise.resolve();

  const isSignedIn = computed(() => token.value !== null);
  const isAdmin = computed(() => user.value?.role === 'admin');

  setAuthHooks({ token: () => token.value, unauthenticated: () => expire() });

  function adopt(session: StoredSession): void {
    token.value = session.accessToken;
    user.value = session.user;
    expiresAt.value = jwtExpiresAt(session.accessToken);
    clearTimeout(expiryTimer);
    clearTimeout(renewTimer);
    if (expiresAt.value !== null) {
      // setTimeout holds at most 2^31-1 ms; a longer session is re-checked by each navigation.
      const life = expiresAt.value - Date.now();
      expiryTimer = setTimeout(() => expire(), Math.max(0, Math.min(life, 2 ** 31 - 1)));
      const renewIn = life - Math.min(RENEW_LEAD_MS, life / 4);
      renewTimer = setTimeout(() => void renew(), Math.max(0, Math.min(renewIn, 2 ** 31 - 1)));
    }
  }

  /**
   * Swaps the token for a fresh one before it runs out, so an active user is not sent to sign in.
   * The server ends the old token's session (its sockets get `session:ended` and reconnect with
   * the new one, see afterSessionEnded). When renewing fails the session ends at its expiry as
   * before; a 401 ends it at once (the API's unauthenticated hook).
   */
  async function renew(): Promise<void> {
    if (!token.value) return;
    const answer = api<AuthResponse>('POST', '/auth/refresh');
    renewal = answer.catch(() => undefined);
    try {
      keep(await answer);
    } catch {
      // Unreachable server: the expiry timer still ends the session on time.
    }
  }

  function forget(): void {
    token.value = null;
    user.value = null;
    expiresAt.value = null;
    clearTimeout(expiryTimer);
    clearTimeout(renewTimer);
    localStorage.removeItem(STORAGE_KEY);
  }

  function isExpired(now = Date.now()): boolean {
    return expiresAt.value !== null && expiresAt.value <= now;
  }

  /** Reads the stored session (once per page load); an expired one is dropped with a message. */
  function restore(): void {
    const text = localStorage.getItem(STORAGE_KEY);
    if (!text) return;
    let stored: unknown;
    try {
      stored = JSON.parse(text);
    } catch {
      stored = null;
    }
    if (!isStoredSession(stored)) return void localStorage.removeItem(STORAGE_KEY);
    adopt(stored);
    if (isExpired()) expire();
  }

  function expire(message = SESSION_EXPIRED_MESSAGE): void {
    if (!token.value) return;
    forget();
    signInMessage.value = message;
  }

  function keep(response: AuthResponse): void {
    const session: StoredSession = { accessToken: response.accessToken, user: response.user };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    signInMessage.value = null;
    adopt(session);
  }

  async function authenticate(path: string, body: LoginRequest | RegisterRequest): Promise<void> {
    keep(await api<AuthResponse>('POST', path, { body }));
  }

  const signIn = (request: LoginRequest): Promise<void> => authenticate('/auth/login', request);
  const signUp = (request: RegisterRequest): Promise<void> => authenticate('/auth/register', request);

  /**
   * Ends this session on the server (the token stops working on every replica), then here. The
   * local session ends even when the server cannot be reached: signing out must always work.
   */
  async function signOut(): Promise<void> {
    if (token.value) await api<void>('POST', '/auth/logout').catch(() => undefined);
    forget();
    signInMessage.value = null;
  }

  /** Ends every session of the user, on every device; this one too. Throws when the server refused. */
  async function signOutEverywhere(): Promise<void> {
    await api<void>('POST', '/auth/logout-everywhere');
    forget();
    signInMessage.value = 'You signed out everywhere. Sign in again to go on.';
  }

  /**
   * Changes the password. The server ends every session of the user (this tab's socket is told
   * `session:ended`) and answers a fresh token, which this session goes on with.
   */
  async function changePassword(request: ChangePasswordRequest): Promise<void> {
    const answer = api<AuthResponse>('POST', '/auth/password', { body: request });
    renewal = answer.catch(() => undefined);
    keep(await answer);
  }

  /**
   * The server ended the session of `endedToken` (a socket's `session:ended`). True when this
   * session goes on with a fresh token (it changed the password meanwhile); otherwise the session
   * is over here too, with the server's reason for the sign-in page.
   */
  async function afterSessionEnded(endedToken: string, message: string): Promise<boolean> {
    await renewal;
    if (token.value !== null && token.value !== endedToken && !isExpired()) return true;
    if (token.value !== null) {
      forget();
      signInMessage.value = message || SESSION_EXPIRED_MESSAGE;
    }
    return false;
  }

  /** Refreshes the user (a role changed by an admin shows after a reload). */
  async function refreshUser(): Promise<void> {
    if (!token.value) return;
    const fresh = await api<UserView>('GET', '/auth/me');
    user.value = fresh;
    if (token.value)
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ accessToken: token.value, user: fresh }));
  }

  return {
    token,
    user,
    expiresAt,
    signInMessage,
    isSignedIn,
    isAdmin,
    isExpired,
    restore,
    expire,
    signIn,
    signUp,
    signOut,
    signOutEverywhere,
    changePassword,
    renew,
    afterSessionEnded,
    refreshUser,
  };
});
