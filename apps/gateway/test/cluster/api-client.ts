/** A small typed client for the gateway's REST routes under /api, as any outside caller sees them. */
import { randomBytes } from 'node:crypto';
import type {
  AuditPage,
  AuditQuery,
  AuthResponse,
  CreateEventRequest,
  BulkCreateTicketsRequest,
  BulkCreateTicketsResponse,
  ErrorBody,
  EventView,
  LevelPage,
  ReservationView,
  TicketPage,
  TicketStatus,
} from '@tickets/protocol';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | null,
    route: string,
  ) {
    super(`${route} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/api${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? null : JSON.parse(text);
    if (!response.ok) throw new ApiError(response.status, parsed as ErrorBody | null, `${method} ${route}`);
    return parsed as T;
  }

  login(email: string, password: string): Promise<AuthResponse> {
    return this.request('POST', '/auth/login', { email, password });
  }

  /** Registers a fresh attendee with a random email; returns its token. */
  async registerAttendee(label: string): Promise<AuthResponse> {
    const suffix = randomBytes(4).toString('hex');
    return this.request('POST', '/auth/register', {
      email: `${label}-${suffix}@cluster.test`,
      password: randomBytes(9).toString('hex'),
      displayName: `${label} ${suffix}`,
    });
  }

  createEvent(name: string, options: Omit<CreateEventRequest, 'name'> = {}): Promise<EventView> {
    return this.request('POST', '/events', { name, ...options });
  }

  reserve(eventId: number, level: number, requestId: string): Promise<ReservationView> {
    return this.request('POST', `/events/${eventId}/reservations`, { level, requestId });
  }

  confirm(reservationId: number): Promise<ReservationView> {
    return this.request('POST', `/reservations/${reservationId}/confirm`);
  }

  /** One page of the audit log (admins), newest first. */
  audit(query: AuditQuery): Promise<AuditPage> {
    const search = new URLSearchParams(
      Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
    );
    return this.request('GET', `/audit?${search.toString()}`);
  }

  bulkCreateTickets(eventId: number, body: BulkCreateTicketsRequest): Promise<BulkCreateTicketsResponse> {
    return this.request('POST', `/events/${eventId}/tickets/bulk`, body);
  }

  levels(eventId: number, offset = 0, limit = 100): Promise<LevelPage> {
    return this.request('GET', `/events/${eventId}/levels?offset=${offset}&limit=${limit}`);
  }

  tickets(
    eventId: number,
    status: TicketStatus | undefined,
    offset: number,
    limit: number,
  ): Promise<TicketPage> {
    const filter = status ? `status=${status}&` : '';
    return this.request('GET', `/events/${eventId}/tickets?${filter}offset=${offset}&limit=${limit}`);
  }

  /** Every ticket of the event with the given status, following pages. */
  async allTickets(eventId: number, status?: TicketStatus): Promise<TicketPage['rows']> {
    const rows: TicketPage['rows'] = [];
    for (;;) {
      const page = await this.tickets(eventId, status, rows.length, 500);
      rows.push(...page.rows);
      if (page.rows.length === 0 || rows.length >= page.total) return rows;
    }
  }
}
