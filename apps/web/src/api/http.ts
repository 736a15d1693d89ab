/** REST client for `/api`: JSON in and out, the session's bearer token, `ErrorBody` turned into `ApiError`. */
import { isErrorCode, type ErrorBody, type ErrorCode, type LimitName } from '@tickets/protocol';
import { limitMessage } from '../live/reservations';
import { SocketRequestError } from '../realtime/requestError';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** RATE_LIMITED: seconds until a retry can succeed (the body's, else the Retry-After header's). */
    readonly retryAfterSeconds?: number,
    /** LIMIT_REACHED: which of the event's limits. */
    readonly limit?: LimitName,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Retry-After as seconds (it may also be an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - nowMs) / 1000)) : undefined;
}

interface AuthHooks {
  token(): string | null;
  /** A request with a token was answered 401: the session is over. */
  unauthenticated(): void;
}

let hooks: AuthHooks = { token: () => null, unauthenticated: () => undefined };

/** The session store plugs itself in here (the HTTP module must not import stores). */
export function setAuthHooks(next: AuthHooks): void {
  hooks = next;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    isErrorCode(value.code) &&
    'message' in value
  );
}

export type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { body?: unknown; query?: Query } = {},
): Promise<T> {
  const token = hooks.token();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(withQuery(`/api${path}`, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(
      0,
      'UNAVAILABLE',
      'The server cannot be reached. Check your connection and try again.',
    );
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null; // an HTML error page from a proxy: answered by status below
  }
  if (!response.ok) {
    if (response.status === 401 && token) hooks.unauthenticated();
    const retryAfter =
      (isErrorBody(body) ? body.retryAfterSeconds : undefined) ??
      retryAfterSeconds(response.headers.get('Retry-After'));
    if (isErrorBody(body))
      throw new ApiError(response.status, body.code, body.message, retryAfter, body.limit);
    const code: ErrorCode =
      response.status === 413
        ? 'PAYLOAD_TOO_LARGE'
        : response.status === 429
          ? 'RATE_LIMITED'
          : response.status >= 500
            ? 'UNAVAILABLE'
            : 'INTERNAL';
    throw new ApiError(
      response.status,
      code,
      `The server answered ${response.status} ${response.statusText}.`,
      retryAfter,
    );
  }
  return body as T;
}

/** A message for any error, fit to show a user; the codes a user can act on are put in words. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof SocketRequestError) {
    switch (error.code) {
      case 'RATE_LIMITED':
        return error.retryAfterSeconds === undefined
          ? 'Too many requests. Wait a moment and try again.'
          : `Too many requests. Try again in ${Math.max(1, error.retryAfterSeconds)} s.`;
      case 'LIMIT_REACHED':
        return limitMessage(error.limit);
      case 'HOLD_EXPIRED':
        return 'This hold ran out before it was confirmed: its tickets are back on sale. Reserve again if the level is still there.';
      default:
        return error.message;
    }
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
