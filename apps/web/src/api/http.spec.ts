import { afterEach, describe, expect, it, vi } from 'vitest';
import { SocketRequestError } from '../realtime/requestError';
import { api, ApiError, errorMessage, retryAfterSeconds } from './http';

function answer(status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch {
  return async () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
}

describe('REST errors', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads RATE_LIMITED with Retry-After and says when to try again', async () => {
    vi.stubGlobal(
      'fetch',
      answer(
        429,
        { statusCode: 429, code: 'RATE_LIMITED', message: 'Too many requests' },
        { 'Retry-After': '7' },
      ),
    );
    const error = await api('GET', '/events').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 7 });
    expect(errorMessage(error)).toBe('Too many requests. Try again in 7 s.');
  });

  it('takes the seconds from the body when it has them, and a 429 without a body is still RATE_LIMITED', async () => {
    vi.stubGlobal(
      'fetch',
      answer(429, { statusCode: 429, code: 'RATE_LIMITED', message: 'x', retryAfterSeconds: 3 }),
    );
    expect(errorMessage(await api('GET', '/events').catch((caught: unknown) => caught))).toMatch(/in 3 s/);
    vi.stubGlobal(
      'fetch',
      async () => new Response('<html>', { status: 429, headers: { 'Retry-After': '12' } }),
    );
    const bare = await api('GET', '/events').catch((caught: unknown) => caught);
    expect(bare).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 12 });
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('5')).toBe(5);
    expect(retryAfterSeconds(new Date(60_000).toUTCString(), 30_000)).toBe(30);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });

  it('names the limit a reservation would pass, from REST or a socket ack', async () => {
    vi.stubGlobal(
      'fetch',
      answer(409, { statusCode: 409, code: 'LIMIT_REACHED', message: 'Limit', limit: 'ticketsPerUser' }),
    );
    const rest = await api('POST', '/events/1/reservations').catch((caught: unknown) => caught);
    expect(errorMessage(rest)).toMatch(/tickets one person may have/);
    const socket = new SocketRequestError('LIMIT_REACHED', 'Limit', undefined, 'ticketsPerReservation');
    expect(errorMessage(socket)).toMatch(/one reservation may take/);
    expect(errorMessage(new SocketRequestError('RATE_LIMITED', 'slow down', 2))).toBe(
      'Too many requests. Try again in 2 s.',
    );
  });
});
