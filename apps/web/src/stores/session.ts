import type { AuthResponse, LoginRequest, RegisterRequest, UserView } from '@tickets/protocol';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api, setAuthHooks } from '../api/http';
import { jwtExpiresAt } from '../lib/jwt';

const STORAGE_KEY = 'tickets.session';

export const SESSION_EXPIRED_MESSAGE = 'Your session has expired. Please sign in again.';

interface StoredSession {
  accessToken: string;
  user: UserView;
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  if (!('accessToken' in value) || typeof value.accessToken !== 'string') return false;
  if (!('user' in value) || typeof value.user !== 'object' || value.user === null) return false;
  const user = value.user;
  return (
    'id' in user && 'role' in user && 'email' in user && (user.role === 'admin' || user.role === 'attendee')
  );
}

/** The signed-in user and their token, kept in localStorage so a reload keeps the session. */
export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(null);
  const user = ref<UserView | null>(null);
  const expiresAt = ref<number | null>(null);
  /** Why the user was sent to sign in (an expired session), shown there once. */
  const signInMessage = ref<string | null>(null);
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;

  const isSignedIn = computed(() => token.value !== null);
  const isAdmin = computed(() => user.value?.role === 'admin');

  setAuthHooks({ token: () => token.value, unauthenticated: () => expire() });

  function adopt(session: StoredSession): void {
    token.value = session.accessToken;
    user.value = session.user;
    expiresAt.value = jwtExpiresAt(session.accessToken);
    clearTimeout(expiryTimer);
    if (expiresAt.value !== null) {
      // setTimeout holds at most 2^31-1 ms; a longer session is re-checked by each navigation.
      const delay = Math.min(expiresAt.value - Date.now(), 2 ** 31 - 1);
      expiryTimer = setTimeout(() => expire(), Math.max(0, delay));
    }
  }

  function forget(): void {
    token.value = null;
    user.value = null;
    expiresAt.value = null;
    clearTimeout(expiryTimer);
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

  async function authenticate(path: string, body: LoginRequest | RegisterRequest): Promise<void> {
    const response = await api<AuthResponse>('POST', path, { body });
    const session: StoredSession = { accessToken: response.accessToken, user: response.user };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    signInMessage.value = null;
    adopt(session);
  }

  const signIn = (request: LoginRequest): Promise<void> => authenticate('/auth/login', request);
  const signUp = (request: RegisterRequest): Promise<void> => authenticate('/auth/register', request);

  function signOut(): void {
    forget();
    signInMessage.value = null;
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
    refreshUser,
  };
});
