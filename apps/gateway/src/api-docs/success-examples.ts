import type {
  AuditEntry,
  AuditPage,
  AuthResponse,
  BulkCreateTicketsResponse,
  EventAudience,
  EventLimitsView,
  EventView,
  HealthResponse,
  LevelCombo,
  LevelPage,
  ReadinessResponse,
  ReservationDetail,
  ReservationPage,
  ReservationView,
  TicketPage,
  TicketView,
  UserPage,
  UserView,
} from '@tickets/protocol';

/**
 * What each route answers on success, by `Controller.method`: the @tickets/protocol type (the
 * handlers' return types, which reflection cannot see) and an example, typed as that type so the
 * compiler keeps it true to the protocol.
 */
export interface SuccessExample {
  type: string;
  example: unknown;
}

const user: UserView = { id: 7, email: 'ada@example.com', displayName: 'Ada', role: 'attendee' };
const auth: AuthResponse = { accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjd9.c2lnbmF0dXJl', user };
const event: EventView = {
  id: 3,
  name: 'Spring gala',
  totalTickets: 500,
  availableTickets: 487,
  levelCount: 2410,
  activeReservations: 6,
  holdTtlSeconds: 600,
  limits: { holdsPerUser: 1, ticketsPerUser: 10, ticketsPerReservation: null },
  version: 19,
  createdAt: '2026-04-01T09:00:00.000Z',
};
const reservation: ReservationView = {
  id: 41,
  eventId: 3,
  level: 12,
  ticketIds: [17, 88],
  ticketCount: 2,
  userId: 7,
  status: 'held',
  expiresAt: '2026-04-01T10:10:00.000Z',
  createdAt: '2026-04-01T10:00:00.000Z',
  settledAt: null,
};
const ticket: TicketView = {
  id: 17,
  label: 'Row A, seat 5',
  value: 5,
  status: 'available',
  reservationId: null,
};
const auditEntry: AuditEntry = {
  id: 301,
  at: '2026-04-01T10:00:00.000Z',
  actorId: 7,
  action: 'reservation.held',
  eventId: 3,
  reservationId: 41,
  subjectUserId: 7,
  requestId: '6f1c2a9e-reserve-1',
  details: { level: 12, ticketIds: [17, 88] },
};
const levelPage: LevelPage = {
  eventId: 3,
  version: 19,
  total: 2410,
  offset: 0,
  rows: [{ level: 1, ticketCount: 1, ticketIds: [4], ticketLabels: ['Row A, seat 1'] }],
};
const combo: LevelCombo = {
  eventId: 3,
  version: 19,
  level: 12,
  ticketCount: 2,
  offset: 0,
  tickets: [
    { id: 17, label: 'Row A, seat 5', value: 5 },
    { id: 88, label: 'Row C, seat 7', value: 7 },
  ],
};
const detail: ReservationDetail = { ...reservation, ticketsOffset: 0, tickets: combo.tickets };
const reservationPage: ReservationPage = {
  total: 1,
  offset: 0,
  rows: [{ ...reservation, holder: { id: 7, email: 'ada@example.com', displayName: 'Ada' } }],
};
const limits: EventLimitsView = { eventId: 3, limits: event.limits, holds: 1, tickets: 2 };
const ticketPage: TicketPage = { total: 500, offset: 0, rows: [ticket] };
const bulk: BulkCreateTicketsResponse = { created: 2, firstId: 501, lastId: 502, version: 20 };
const userPage: UserPage = { total: 1, offset: 0, rows: [user] };
const auditPage: AuditPage = { total: 1, offset: 0, rows: [auditEntry] };
const audience: EventAudience[] = [{ eventId: 3, users: 120, sockets: 131 }];
const health: HealthResponse = { status: 'ok' };
const readiness: ReadinessResponse = {
  status: 'ok',
  database: 'up',
  redis: 'up',
  indexes: { loaded: 2, building: [], memoryMb: 4.2, budgetMb: 2048 },
  eventLoopDelayMs: { p99: 1.2, max: 3.4, windowMs: 10_000 },
};

export const SUCCESS_EXAMPLES: Readonly<Record<string, SuccessExample>> = {
  'AuditController.page': { type: 'AuditPage', example: auditPage },
  'AuthController.register': { type: 'AuthResponse', example: auth },
  'AuthController.login': { type: 'AuthResponse', example: auth },
  'AuthController.me': { type: 'UserView', example: user },
  'AuthController.refresh': {
    type: 'AuthResponse (a fresh token; the one sent ends, and its sockets are told)',
    example: auth,
  },
  'AuthController.changePassword': {
    type: 'AuthResponse (a new token; every other session of the user ends)',
    example: auth,
  },
  'EventsController.list': { type: 'EventView[]', example: [event] },
  'EventsController.get': { type: 'EventView', example: event },
  'EventsController.create': { type: 'EventView', example: event },
  'EventsController.update': { type: 'EventView', example: event },
  'HealthController.healthz': { type: 'HealthResponse', example: health },
  'HealthController.readyz': {
    type: 'ReadinessResponse (HTTP 503 when the database is down; `degraded` with 200 when Redis is)',
    example: readiness,
  },
  'LevelsController.page': { type: 'LevelPage', example: levelPage },
  'LevelsController.combo': { type: 'LevelCombo', example: combo },
  'MetricsController.scrape': {
    type: 'Prometheus text format',
    example: '# TYPE tickets_sockets gauge\ntickets_sockets 131\n',
  },
  'AudienceController.everywhere': { type: 'EventAudience[]', example: audience },
  'ReservationsController.reserve': { type: 'ReservationView', example: reservation },
  'ReservationsController.ofEvent': { type: 'ReservationPage', example: reservationPage },
  'ReservationsController.mine': { type: 'ReservationView[]', example: [reservation] },
  'ReservationsController.detail': { type: 'ReservationDetail', example: detail },
  'ReservationsController.confirm': {
    type: 'ReservationView',
    example: { ...reservation, status: 'confirmed', expiresAt: null, settledAt: '2026-04-01T10:02:00.000Z' },
  },
  'ReservationsController.history': { type: 'AuditEntry[]', example: [auditEntry] },
  'ReservationsController.limits': { type: 'EventLimitsView', example: limits },
  'ReservationsController.cancel': {
    type: 'ReservationView',
    example: { ...reservation, status: 'cancelled', expiresAt: null, settledAt: '2026-04-01T10:03:00.000Z' },
  },
  'TicketsController.list': { type: 'TicketPage', example: ticketPage },
  'TicketsController.create': { type: 'TicketView', example: ticket },
  'TicketsController.bulkCreate': { type: 'BulkCreateTicketsResponse', example: bulk },
  'UsersController.page': { type: 'UserPage', example: userPage },
  'UsersController.update': { type: 'UserView', example: { ...user, role: 'admin' } },
};
