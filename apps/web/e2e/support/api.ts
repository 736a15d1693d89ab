/** A small typed REST client for setting up scenarios (the tests act through the browser). */
import type {
  AuthResponse,
  CreateEventRequest,
  UserView,
  BulkCreateTicketsRequest,
  BulkCreateTicketsResponse,
  EventView,
  LevelPage,
  ReservationView,
  TicketPage,
} from '@tickets/protocol';
import { randomSuffix } from './gateway';

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/api${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    }).catch((error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new Error(`${method} ${route} failed${cause}`, { cause: error });
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async signIn(email: string, password: string): Promise<Api> {
    const auth = await this.request<AuthResponse>('POST', '/auth/login', { email, password });
    return new Api(this.baseUrl, auth.accessToken);
  }

  /** A new attendee with a random email. */
  async registerAttendee(name: string): Promise<{ api: Api; auth: AuthResponse; password: string }> {
    const password = `pw-${randomSuffix()}`;
    const auth = await this.request<AuthResponse>('POST', '/auth/register', {
      email: `${name.toLowerCase()}-${randomSuffix()}@e2e.test`,
      password,
      displayName: name,
    });
    return { api: new Api(this.baseUrl, auth.accessToken), auth, password };
  }

  createEvent(name: string, options: Omit<CreateEventRequest, 'name'> = {}): Promise<EventView> {
    return this.request('POST', '/events', { name, ...options });
  }

  me(): Promise<UserView> {
    return this.request('GET', '/auth/me');
  }

  event(eventId: number): Promise<EventView> {
    return this.request('GET', `/events/${eventId}`);
  }

  bulkTickets(eventId: number, body: BulkCreateTicketsRequest): Promise<BulkCreateTicketsResponse> {
    return this.request('POST', `/events/${eventId}/tickets/bulk`, body);
  }

  tickets(eventId: number, offset = 0, limit = 100): Promise<TicketPage> {
    return this.request('GET', `/events/${eventId}/tickets?offset=${offset}&limit=${limit}`);
  }

  levels(
    eventId: number,
    query: { offset?: number; limit?: number; min?: number; max?: number } = {},
  ): Promise<LevelPage> {
    const params = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
    return this.request('GET', `/events/${eventId}/levels?${params.toString()}`);
  }

  reserve(eventId: number, level: number): Promise<ReservationView> {
    return this.request('POST', `/events/${eventId}/reservations`, {
      level,
      requestId: `e2e-${randomSuffix()}`,
    });
  }

  cancel(reservationId: number): Promise<ReservationView> {
    return this.request('DELETE', `/reservations/${reservationId}`);
  }
}
