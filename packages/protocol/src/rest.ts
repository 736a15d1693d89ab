/** REST bodies under the `/api` prefix. Dates travel as ISO-8601 strings. */

/**
 * A role's name. Roles are data (each is the set of permissions granted to it); the built-in ones
 * are BUILT_IN_ROLES, and an operator may add others.
 */
export type Role = string;

/** The roles every installation has: attendees reserve, admins manage. */
export const BUILT_IN_ROLES = ['attendee', 'admin'] as const;

/** Named permissions; a role is a set of these (data, not code). */
export const Permission = {
  EVENTS_WRITE: 'events:write',
  TICKETS_WRITE: 'tickets:write',
  RESERVATIONS_MANAGE: 'reservations:manage',
  LEVELS_RESERVE: 'levels:reserve',
  USERS_MANAGE: 'users:manage',
  AUDIT_READ: 'audit:read',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/**
 * Names, display names and labels: no control characters (NUL, newlines…) and no bidi overrides or
 * isolates (U+202A–U+202E, U+2066–U+2069), which could make a name read as something else.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
export const PLAIN_TEXT_PATTERN = /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/;

/** Longest accepted texts, in UTF-16 code units. */
export const TEXT_LIMITS = {
  email: 254,
  displayName: 100,
  eventName: 200,
} as const;

export interface UserView {
  id: number;
  email: string;
  displayName: string;
  role: Role;
}

export interface RegisterRequest {
  email: string;
  password: string;
  displayName: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface AuthResponse {
  accessToken: string;
  user: UserView;
}

/** Passwords: at least this many characters once surrounding whitespace is trimmed, at most PASSWORD_MAX_LENGTH. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;

/**
 * `POST /api/auth/password`: ends every session of the user (like `POST /api/auth/logout-everywhere`)
 * and answers a fresh token for this one.
 */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** `GET /api/users` (users:manage). */
export interface UsersQuery {
  offset?: number;
  limit?: number;
}

export interface UserPage {
  total: number;
  offset: number;
  rows: UserView[];
}

/** `PATCH /api/users/:id` (users:manage): a new role takes effect at the user's next request or socket message, on every replica. */
export interface UpdateUserRequest {
  role: Role;
}

export interface EventView {
  id: number;
  name: string;
  totalTickets: number;
  availableTickets: number;
  /**
   * Levels, as the replicas last computed them (within about a second of `version`); null until
   * the event's index has been built once. Live counts arrive with `inventory:changed`.
   */
  levelCount: number | null;
  /** Reservations still holding tickets (held or confirmed); deleting the event then needs `?force=true`. */
  activeReservations: number;
  /** How long a hold lasts before it must be confirmed, in seconds (the event's own, or HOLD_TTL). */
  holdTtlSeconds: number;
  limits: EventLimits;
  version: number;
  createdAt: string;
}

/**
 * What one user may take of an event, enforced in the reservation transaction. A reservation that
 * would pass one answers LIMIT_REACHED naming it.
 */
export interface EventLimits {
  /** Holds (not yet confirmed) one user may have at once; at least 1. */
  holdsPerUser: number;
  /** Tickets one user may have in held and confirmed reservations together; null: no limit. */
  ticketsPerUser: number | null;
  /** Tickets in one reservation; null: no limit. */
  ticketsPerReservation: number | null;
}

/** The limits' names, as LIMIT_REACHED reports which one a reservation would pass. */
export type LimitName = keyof EventLimits;

/** Defaults of a new event: one hold at a time, no ticket limits. */
export const DEFAULT_EVENT_LIMITS: EventLimits = {
  holdsPerUser: 1,
  ticketsPerUser: null,
  ticketsPerReservation: null,
};

/** An event's own hold time, seconds: from one second (demonstrations, tests) to a day. */
export const HOLD_TTL_RANGE = { min: 1, max: 86_400 } as const;

export interface CreateEventRequest {
  name: string;
  /** The event's hold time in seconds (HOLD_TTL_RANGE); default the server's HOLD_TTL. */
  holdTtlSeconds?: number;
  limits?: Partial<EventLimits>;
}

/** `PATCH /api/events/:eventId` (events:write): the hold time and limits; null holdTtlSeconds returns to HOLD_TTL. */
export interface UpdateEventRequest {
  holdTtlSeconds?: number | null;
  limits?: Partial<EventLimits>;
}

/** `GET /api/events/:eventId/limits`: the event's limits and what the caller already holds, so a client can tell which levels it cannot take. */
export interface EventLimitsView {
  eventId: number;
  limits: EventLimits;
  /** The caller's holds (not yet confirmed) in the event. */
  holds: number;
  /** Tickets in the caller's held and confirmed reservations of the event. */
  tickets: number;
}

export type TicketStatus = 'available' | 'reserved';

export interface TicketView {
  id: number;
  label: string;
  value: number;
  status: TicketStatus;
  /** The reservation holding it; null when available, and always null for callers who do not manage reservations. */
  reservationId: number | null;
}

export interface TicketPage {
  total: number;
  offset: number;
  rows: TicketView[];
}

export interface CreateTicketRequest {
  label?: string;
  value: number;
}

/** Limits on tickets, the same for the gateway's checks and clients. */
export const TICKET_LIMITS = {
  /** Largest ticket value (clearance). */
  maxValue: 1_000_000,
  /** Tickets one bulk call may create. */
  maxPerBulkCall: 100_000,
  /** Tickets one event may hold. */
  maxPerEvent: 1_000_000,
  /** The sum of an event's ticket values may not exceed this. */
  maxEventValueTotal: 100_000_000,
  /** Characters in a label (no control or bidi-override characters). */
  maxLabelLength: 100,
  /** Bytes of a bulk body (`POST /api/events/:eventId/tickets/bulk`); larger answers 413 PAYLOAD_TOO_LARGE. */
  maxBulkBodyBytes: 12 * 1024 * 1024,
} as const;

/** Either explicit tickets or a random batch; at most `TICKET_LIMITS.maxPerBulkCall` per call. */
export type BulkCreateTicketsRequest =
  { tickets: CreateTicketRequest[] } | { count: number; minValue: number; maxValue: number };

export interface BulkCreateTicketsResponse {
  created: number;
  firstId: number | null;
  lastId: number | null;
  version: number;
}

export interface LevelRow {
  level: number;
  ticketCount: number;
  /** At most 20 of the combination's ticket ids (the highest ones, ascending). */
  ticketIds: number[];
  /** The labels of those tickets, in the same order. */
  ticketLabels: string[];
}

export interface LevelsQuery {
  offset?: number;
  limit?: number;
  min?: number;
  max?: number;
  /** Start at the first level ≥ this one (within min..max) instead of at `offset`; the answer's `offset` says where that is. */
  fromLevel?: number;
}

export interface LevelPage {
  eventId: number;
  version: number;
  total: number;
  offset: number;
  rows: LevelRow[];
}

export interface ComboTicket {
  id: number;
  label: string;
  value: number;
}

/** Which tickets of a combination to show: `GET …/levels/:level?offset&limit` (limit at most COMBO_PAGE_MAX_LIMIT). */
export interface ComboQuery {
  offset?: number;
  limit?: number;
}

/** The level's combination: `ticketCount` tickets in all, `tickets` those from `offset` on (ascending ids). */
export interface LevelCombo {
  eventId: number;
  version: number;
  level: number;
  ticketCount: number;
  offset: number;
  tickets: ComboTicket[];
}

export interface ReserveRequest {
  level: number;
  /**
   * Client-chosen idempotency key, one per user: repeating it with the same event and level returns
   * the first reservation; with another event or level it answers CONFLICT. Kept as long as the
   * reservation (reservations are never deleted, except with their event).
   */
  requestId: string;
}

/**
 * A reservation's life: `held` until `expiresAt` (its tickets are off sale), then `confirmed` by
 * its holder (final) or `expired` (tickets back on sale); `cancelled` by its holder or `released`
 * by an admin at any time before (tickets back on sale).
 */
export type ReservationStatus = 'held' | 'confirmed' | 'cancelled' | 'expired' | 'released';

/** Statuses whose reservation holds its tickets. */
export const ACTIVE_RESERVATION_STATUSES: readonly ReservationStatus[] = ['held', 'confirmed'];

export interface ReservationView {
  id: number;
  eventId: number;
  level: number;
  /** The first LEVEL_ROW_MAX_TICKET_IDS of the reservation's tickets, ascending; `GET /api/reservations/:id` pages through all of them. */
  ticketIds: number[];
  ticketCount: number;
  userId: number;
  status: ReservationStatus;
  /** A hold's deadline (ISO-8601); null once confirmed, and for reservations that were never held. */
  expiresAt: string | null;
  createdAt: string;
  /** When it left `held` (confirmed, cancelled, expired or released); null while held. */
  settledAt: string | null;
}

/** The user behind a reservation, as an admin sees them. */
export interface UserSummary {
  id: number;
  email: string;
  displayName: string;
}

/** `GET /api/reservations/:id` (the holder, or an admin): the reservation with its tickets. */
export interface ReservationDetail extends ReservationView {
  /** Tickets `ticketsOffset` on (ascending ids), at most COMBO_PAGE_MAX_LIMIT: `?offset&limit` pages through them. */
  ticketsOffset: number;
  tickets: ComboTicket[];
}

/** A row of `GET /api/events/:eventId/reservations` (admins). */
export interface ReservationRow extends ReservationView {
  holder: UserSummary;
}

export interface ReservationsQuery {
  offset?: number;
  limit?: number;
  status?: ReservationStatus;
}

/** What the audit log records (both sides list them from here: the gateway validates filters, the web app names them). */
export const AUDIT_ACTIONS = [
  'event.created',
  'event.updated',
  'event.deleted',
  'tickets.created',
  'ticket.deleted',
  'reservation.held',
  'reservation.confirmed',
  'reservation.cancelled',
  'reservation.expired',
  'reservation.released',
  'user.signed-in',
  'user.role-changed',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One audit entry: who did what, when, and what changed. */
export interface AuditEntry {
  id: number;
  at: string;
  /** The user who acted; null for the system (a hold that expired). */
  actorId: number | null;
  action: AuditAction;
  eventId: number | null;
  reservationId: number | null;
  /** The user acted upon (a role change), when not the actor. */
  subjectUserId: number | null;
  /** The client's request id (reservations), when there was one. */
  requestId: string | null;
  /** The state that matters before and after, per action. */
  details: Record<string, unknown>;
}

/** `GET /api/audit` (audit:read): newest first; every filter optional, `from`/`to` ISO-8601. */
export interface AuditQuery {
  eventId?: number;
  userId?: number;
  action?: AuditAction;
  from?: string;
  to?: string;
  offset?: number;
  limit?: number;
}

export interface AuditPage {
  total: number;
  offset: number;
  rows: AuditEntry[];
}

export interface ReservationPage {
  total: number;
  offset: number;
  rows: ReservationRow[];
}

/** `GET /api/audience` (admins): who is connected to each event, summed over every replica. */
export interface EventAudience {
  eventId: number;
  /** Distinct signed-in users with at least one socket joined to the event. */
  users: number;
  sockets: number;
}

export interface HealthResponse {
  status: 'ok';
}

export interface ReadinessResponse {
  /** `degraded` (still HTTP 200): serving without Redis; `unavailable` (HTTP 503): no database. */
  status: 'ok' | 'degraded' | 'unavailable';
  database: 'up' | 'down';
  redis: 'up' | 'down' | 'disabled';
  /** This replica's clearance indexes (they live in worker threads). */
  indexes: {
    loaded: number;
    /** Events whose index is being built right now (their first reads wait for it). */
    building: number[];
    memoryMb: number;
    budgetMb: number;
  };
  /** How late the event loop ran timers over the last complete window: a stall shows here. */
  eventLoopDelayMs: { p99: number; max: number; windowMs: number };
}
