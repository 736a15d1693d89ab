/**
 * bench:stall's scenarios, in the order they run: each is one heavy request (or a burst of them)
 * the API accepts, sent as an outside caller would (REST under /api), with any reads it needs to
 * pick its target done beforehand, outside the measured window.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { AuthResponse, EventView, LevelPage, ReservationView } from '@tickets/protocol';

export interface StallSettings {
  /** Tickets the main event is built up to with one count-form bulk add. */
  tickets: number;
  /** Tickets in the explicit-list bulk add (into an event of its own). */
  explicitTickets: number;
  /** Concurrent unauthenticated register bodies, and the unknown keys in each. */
  bodies: number;
  bodyKeys: number;
  /** The "nearly all" reservation's level, as a fraction of the event's top level. */
  nearAllFraction: number;
  /** A scenario with no answer after this counts as timed out; the replica is then restarted. */
  scenarioTimeoutS: number;
  /** Probing continues this long after the last answer: work after the answer still counts. */
  tailMs: number;
  /** The idle window after each scenario lasts as long as its window, at most this. */
  idleMaxS: number;
  /** How long the prober also runs against a bare node:http server (0: not at all). */
  machineFloorS: number;
}

/** A level picked from the event's table, and the reservation made of it. */
interface PickedLevel {
  level: number;
  ticketCount: number;
  reservationId?: number;
}

export interface StallState {
  eventId?: number;
  explicitEventId?: number;
  /** Levels in the main event's table, and its top level (the sum of all values). */
  levelCount?: number;
  topLevel?: number;
  half?: PickedLevel;
  nearAll?: PickedLevel;
  /** Stop to ready of the cold start, ms. */
  coldStartMs?: number;
}

export interface StallContext {
  url: string;
  settings: StallSettings;
  admin: { email: string; password: string };
  token: string;
  state: StallState;
}

export interface ScenarioOutcome {
  /** Answers by HTTP status (or `no answer` when the scenario timed out first). */
  statuses: Record<string, number>;
  /** What the answer says, e.g. how many tickets a reservation holds. */
  detail: string;
  note?: string;
}

export interface Scenario {
  name: string;
  /** Stop and start the replica on the same data right before this scenario (not measured). */
  coldStart?: boolean;
  /** Reads the scenario needs before its window (a level to reserve, a reservation to cancel). */
  prepare?(context: StallContext): Promise<void>;
  /** One line for the log: what is about to be sent. */
  describe(context: StallContext): string;
  run(context: StallContext, signal: AbortSignal): Promise<ScenarioOutcome>;
}

interface Answer {
  /** HTTP status, or `no answer` when aborted (the scenario's timeout) or the connection failed. */
  status: number | 'no answer';
  body: unknown;
}

/** One REST call; never throws for an HTTP status, so a wrong answer shows in the table. */
async function call(
  context: StallContext,
  method: string,
  route: string,
  options: { json?: unknown; raw?: string; signal?: AbortSignal; anonymous?: boolean } = {},
): Promise<Answer> {
  const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  try {
    const response = await fetch(`${context.url}/api${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.anonymous || !context.token ? {} : { authorization: `Bearer ${context.token}` }),
      },
      body,
      signal: options.signal ?? AbortSignal.timeout(120_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed };
  } catch {
    return { status: 'no answer', body: null };
  }
}

/** A setup call that must succeed. */
async function must<T>(context: StallContext, method: string, route: string, json?: unknown): Promise<T> {
  const answer = await call(context, method, route, { json });
  if (typeof answer.status !== 'number' || answer.status >= 300) {
    throw new Error(
      `${method} ${route} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
    );
  }
  return answer.body as T;
}

function tally(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of answers) counts[String(status)] = (counts[String(status)] ?? 0) + 1;
  return counts;
}

const count = (value: number): string => value.toLocaleString('en-US');
const errorCode = (answer: Answer): string =>
  answer.body && typeof answer.body === 'object' && 'code' in answer.body ? String(answer.body.code) : '';

/** Logs in as the admin and creates the two events, each with its (empty) index loaded, as when people watch it. */
export async function setUp(context: StallContext): Promise<void> {
  const auth = await must<AuthResponse>(context, 'POST', '/auth/login', context.admin);
  context.token = auth.accessToken;
  const main = await must<EventView>(context, 'POST', '/events', { name: 'bench:stall' });
  const explicit = await must<EventView>(context, 'POST', '/events', { name: 'bench:stall explicit list' });
  context.state.eventId = main.id;
  context.state.explicitEventId = explicit.id;
  for (const id of [main.id, explicit.id])
    await must<LevelPage>(context, 'GET', `/events/${id}/levels?offset=0&limit=10`);
}

/** The first level at or above `min` in the main event's table. */
async function levelAtOrAbove(context: StallContext, min: number): Promise<PickedLevel> {
  const page = await must<LevelPage>(
    context,
    'GET',
    `/events/${context.state.eventId}/levels?min=${min}&offset=0&limit=1`,
  );
  const row = page.rows[0];
  if (!row) throw new Error(`no level at or above ${min}`);
  return { level: row.level, ticketCount: row.ticketCount };
}

/** Reads the main event's table size and top level. */
async function readTable(context: StallContext): Promise<void> {
  const eventId = context.state.eventId;
  const first = await must<LevelPage>(context, 'GET', `/events/${eventId}/levels?offset=0&limit=1`);
  const last = await must<LevelPage>(
    context,
    'GET',
    `/events/${eventId}/levels?offset=${first.total - 1}&limit=1`,
  );
  context.state.levelCount = first.total;
  context.state.topLevel = last.rows[0]?.level;
}

/**
 * The reservation made of `picked`: the one the scenario answered with, or (when the scenario
 * timed out and the replica was restarted) an active one of that level found in the database.
 */
async function findReservation(
  context: StallContext,
  picked: PickedLevel | undefined,
): Promise<number | undefined> {
  if (!picked) return undefined;
  if (picked.reservationId !== undefined) return picked.reservationId;
  const listed = await must<ReservationView[] | { rows: ReservationView[] }>(
    context,
    'GET',
    `/events/${context.state.eventId}/reservations`,
  );
  const rows = Array.isArray(listed) ? listed : listed.rows;
  return rows.find((row) => row.level === picked.level && row.status === 'held')?.id;
}

function reserveScenario(
  name: string,
  key: 'half' | 'nearAll',
  pick: (context: StallContext) => number,
): Scenario {
  return {
    name,
    async prepare(context) {
      if (context.state.levelCount === undefined) await readTable(context);
      context.state[key] = await levelAtOrAbove(context, pick(context));
    },
    describe: (context) => {
      const picked = context.state[key]!;
      return `reserve level ${count(picked.level)} (${count(picked.ticketCount)} tickets)`;
    },
    async run(context, signal) {
      const picked = context.state[key]!;
      const answer = await call(context, 'POST', `/events/${context.state.eventId}/reservations`, {
        json: { level: picked.level, requestId: `stall-${key}-${randomBytes(4).toString('hex')}` },
        signal,
      });
      const reservation = answer.body as Partial<ReservationView> | null;
      if (typeof answer.status === 'number' && answer.status < 300 && reservation?.id !== undefined)
        picked.reservationId = reservation.id;
      return {
        statuses: tally([answer]),
        detail:
          `level ${count(picked.level)}, ${count(picked.ticketCount)} tickets` +
          (reservation?.ticketCount !== undefined
            ? `; reserved ${count(reservation.ticketCount)}`
            : ` ${errorCode(answer)}`.trimEnd()),
      };
    },
  };
}

function cancelScenario(name: string, key: 'half' | 'nearAll'): Scenario {
  return {
    name,
    async prepare(context) {
      const picked = context.state[key];
      if (picked) picked.reservationId = await findReservation(context, picked);
    },
    describe: (context) =>
      `cancel reservation ${context.state[key]?.reservationId ?? '(none: the reservation did not commit)'}`,
    async run(context, signal) {
      const picked = context.state[key];
      if (picked?.reservationId === undefined)
        return { statuses: { skipped: 1 }, detail: 'no reservation to cancel' };
      const answer = await call(context, 'DELETE', `/reservations/${picked.reservationId}`, { signal });
      return {
        statuses: tally([answer]),
        detail: `${count(picked.ticketCount)} tickets back ${errorCode(answer)}`.trimEnd(),
      };
    },
  };
}

export function buildScenarios(): Scenario[] {
  let explicitBody = '';
  let hostileBody = '';
  return [
    {
      name: `bulk add of tickets (count form)`,
      describe: (context) =>
        `POST /events/${context.state.eventId}/tickets/bulk {count: ${count(context.settings.tickets)}, 1..1000}`,
      async run(context, signal) {
        const answer = await call(context, 'POST', `/events/${context.state.eventId}/tickets/bulk`, {
          json: { count: context.settings.tickets, minValue: 1, maxValue: 1000 },
          signal,
        });
        const created = (answer.body as { created?: number } | null)?.created;
        return {
          statuses: tally([answer]),
          detail: created === undefined ? errorCode(answer) : `${count(created)} tickets created`,
        };
      },
    },
    {
      name: 'bulk add of tickets (explicit list)',
      async prepare(context) {
        const tickets = Array.from({ length: context.settings.explicitTickets }, (_, i) => ({
          label: `L-${i + 1}`,
          value: randomInt(1, 1001),
        }));
        explicitBody = JSON.stringify({ tickets });
      },
      describe: (context) =>
        `POST /events/${context.state.explicitEventId}/tickets/bulk {tickets: [${count(context.settings.explicitTickets)} × {label, value}]} ` +
        `(${(explicitBody.length / 1e6).toFixed(1)} MB), into an event of its own`,
      async run(context, signal) {
        const answer = await call(context, 'POST', `/events/${context.state.explicitEventId}/tickets/bulk`, {
          raw: explicitBody,
          signal,
        });
        const created = (answer.body as { created?: number } | null)?.created;
        return {
          statuses: tally([answer]),
          detail:
            `${(explicitBody.length / 1e6).toFixed(1)} MB body; ` +
            (created === undefined ? errorCode(answer) : `${count(created)} tickets created`),
        };
      },
    },
    {
      name: 'delete an event of those tickets',
      describe: (context) => `DELETE /events/${context.state.explicitEventId}`,
      async run(context, signal) {
        const answer = await call(context, 'DELETE', `/events/${context.state.explicitEventId}`, { signal });
        return {
          statuses: tally([answer]),
          detail: `${count(context.settings.explicitTickets)} tickets ${errorCode(answer)}`.trimEnd(),
        };
      },
    },
    reserveScenario('reservation of about half the tickets', 'half', (context) =>
      Math.floor(context.state.topLevel! / 2),
    ),
    cancelScenario('its cancel', 'half'),
    reserveScenario('reservation of nearly all tickets', 'nearAll', (context) =>
      Math.floor(context.state.topLevel! * context.settings.nearAllFraction),
    ),
    cancelScenario('its cancel', 'nearAll'),
    {
      name: 'concurrent unauthenticated register bodies',
      async prepare(context) {
        const keys = Array.from({ length: context.settings.bodyKeys }, (_, i) => `"f${i}":0`);
        hostileBody = `{${keys.join(',')}}`;
      },
      describe: (context) =>
        `${context.settings.bodies} × POST /auth/register, no token, ${(hostileBody.length / 1e6).toFixed(1)} MB of ` +
        `${count(context.settings.bodyKeys)} unknown keys each, all at once`,
      async run(context, signal) {
        const answers = await Promise.all(
          Array.from({ length: context.settings.bodies }, () =>
            call(context, 'POST', '/auth/register', { raw: hostileBody, signal, anonymous: true }),
          ),
        );
        const codes = [...new Set(answers.map(errorCode).filter((code) => code !== ''))];
        return {
          statuses: tally(answers),
          detail: `${context.settings.bodies} × ${(hostileBody.length / 1e6).toFixed(1)} MB${codes.length ? `; ${codes.join(', ')}` : ''}`,
        };
      },
    },
    {
      name: 'cold start, then a page in the middle of the table',
      coldStart: true,
      describe: (context) =>
        `GET /events/${context.state.eventId}/levels?offset=${count(Math.floor((context.state.levelCount ?? 0) / 2))}&limit=100`,
      async run(context, signal) {
        const offset = Math.floor((context.state.levelCount ?? 0) / 2);
        const answer = await call(
          context,
          'GET',
          `/events/${context.state.eventId}/levels?offset=${offset}&limit=100`,
          { signal },
        );
        const rows = (answer.body as LevelPage | null)?.rows;
        return {
          statuses: tally([answer]),
          detail: rows
            ? `${rows.length} rows at offset ${count(offset)} of ${count(context.state.levelCount ?? 0)} levels`
            : errorCode(answer),
          note:
            context.state.coldStartMs === undefined
              ? undefined
              : `start to ready ${(context.state.coldStartMs / 1000).toFixed(1)} s`,
        };
      },
    },
  ];
}
