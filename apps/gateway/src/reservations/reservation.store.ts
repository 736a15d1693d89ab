import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  type EventLimits,
  type LimitName,
  type ReservationStatus,
  type UserSummary,
} from '@tickets/protocol';
import type { PoolConnection } from 'mysql2/promise';
import { EntityManager } from 'typeorm';
import { AUDIT_SQL, AuditLog, type AuditDraft } from '../audit/audit-log';
import { AppError, notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { Timers } from '../common/timers';
import { AppConfig } from '../config/app-config';
import { placeholders, rowsChanged, WRITE_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { isForeignKeyViolation, isRetryable, isUniqueViolation } from '../database/driver-errors';
import { MultiStatementPool } from '../database/multi-statement-pool';
import { CommittedChange } from '../inventory/committed-change';
import { InventoryOutbox } from '../inventory/inventory-outbox';
import { ReservationEntity } from './reservation.entity';
import { holdDeadline, isWholeCombination, limitPassed, type Usage } from './reservation-rules';

/** Witnesses up to this size take the two-round-trip MySQL path (one IN list, one VALUES list). */
const MYSQL_FAST_PATH_MAX_TICKETS = 5000;
/** Holds one sweep of an event expires at most (the rest go with the next sweep). */
const EXPIRED_PER_SWEEP = 1000;

interface OkPacket {
  affectedRows: number;
  insertId: number;
}

interface HeadRow {
  version: number | string;
  total_tickets: number | string;
  available_tickets: number | string;
}

interface TermsRow {
  hold_ttl_seconds: number | string | null;
  holds_per_user: number | string;
  tickets_per_user: number | string | null;
  tickets_per_reservation: number | string | null;
}

interface UsageRow {
  holds: number | string | null;
  tickets: number | string | null;
}

const orNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** An event's hold time and limits, as the reserve transaction reads them. */
export interface EventTerms {
  holdTtlSeconds: number | null;
  limits: EventLimits;
}

function toTerms(row: TermsRow): EventTerms {
  return {
    holdTtlSeconds: orNull(row.hold_ttl_seconds),
    limits: {
      holdsPerUser: Number(row.holds_per_user),
      ticketsPerUser: orNull(row.tickets_per_user),
      ticketsPerReservation: orNull(row.tickets_per_reservation),
    },
  };
}

const toUsage = (row: UsageRow | undefined): Usage => ({
  holds: Number(row?.holds ?? 0),
  tickets: Number(row?.tickets ?? 0),
});

/**
 * Sends `statements` as one query on a multi-statement connection and answers their results, one
 * per statement. mysql2 types a query's result as that of a single statement, so the caller names
 * the statements' shapes (`T`), as it does for any raw query's rows.
 */
async function statementResults<T extends unknown[]>(
  connection: PoolConnection,
  statements: string[],
  values: unknown[],
): Promise<T> {
  const [results]: [unknown, unknown] = await connection.query(statements.join(';\n'), values);
  return results as T;
}

/** The id of the row a plain INSERT created: better-sqlite3 answers it, mysql2 answers a header holding it. */
function insertedId(result: unknown): number {
  if (typeof result === 'number' || typeof result === 'bigint') return Number(result);
  return Number((result as OkPacket).insertId);
}

/**
 * The statements of a reservation, shared by both paths (reserveOnMysql, reserveIn). Placeholders
 * only; `reservationId` is a placeholder or, in the one-round-trip path, LAST_INSERT_ID().
 */
const RESERVATION_SQL = {
  terms:
    'SELECT hold_ttl_seconds, holds_per_user, tickets_per_user, tickets_per_reservation FROM events WHERE id = ?',
  /** What the user holds in the event (holds, and tickets of held and confirmed reservations). */
  usage:
    "SELECT SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END) AS holds, SUM(ticket_count) AS tickets FROM reservations WHERE user_id = ? AND event_id = ? AND status IN ('held', 'confirmed')",
  /** Serialises one user's reservations (MySQL), so limits are checked against every earlier one. */
  lockUser: 'SELECT id FROM users WHERE id = ? FOR UPDATE',
  insert:
    "INSERT INTO reservations (event_id, user_id, level, status, request_id, ticket_ids, ticket_count, expires_at, created_at) VALUES (?, ?, ?, 'held', ?, ?, ?, ?, ?)",
  /** Flips the tickets that are still available; its affected rows say whether all of them were. */
  flip: (count: number): string =>
    `UPDATE tickets SET status = 'reserved' WHERE id IN (${placeholders(count)}) AND event_id = ? AND status = 'available'`,
  name: (count: number, reservationId: string): string =>
    `UPDATE tickets SET reservation_id = ${reservationId} WHERE id IN (${placeholders(count)})`,
  hold: (count: number, reservationId: string): string =>
    `INSERT INTO reservation_tickets (ticket_id, reservation_id) VALUES ${Array.from({ length: count }, () => `(?, ${reservationId})`).join(', ')}`,
};

export interface ReserveDraft {
  eventId: number;
  userId: number;
  level: number;
  requestId: string;
}

const insertParams = (
  draft: ReserveDraft,
  witness: readonly number[],
  expiresAt: Date | string,
  createdAt: Date | string,
): unknown[] => [
  draft.eventId,
  draft.userId,
  draft.level,
  draft.requestId,
  JSON.stringify(witness),
  witness.length,
  expiresAt,
  createdAt,
];

const heldEntry = (draft: ReserveDraft, ticketCount: number, expiresAt: Date): AuditDraft => ({
  actorId: draft.userId,
  action: 'reservation.held',
  eventId: draft.eventId,
  requestId: draft.requestId,
  details: { level: draft.level, ticketCount, expiresAt: expiresAt.toISOString() },
});

/** Thrown inside the transaction when the witness was no longer fully available: roll back. */
class StaleWitness extends Error {}

/** Thrown inside the transaction when the reservation would pass one of the event's limits: roll back. */
class LimitPassed extends Error {
  constructor(readonly limit: LimitName) {
    super(limit);
  }
}

export interface Committed {
  reservation: ReservationEntity;
  change: CommittedChange;
}

/** What one reserve transaction ended with. */
export type ReserveOutcome =
  | ({ kind: 'reserved' } & Committed)
  /** Some ticket of the witness was taken meanwhile; nothing was written. */
  | { kind: 'stale' }
  /** The same (user, requestId) committed concurrently; this is that reservation. */
  | { kind: 'duplicate'; reservation: ReservationEntity }
  /** The reservation would pass one of the event's limits; nothing was written. */
  | { kind: 'limit'; limit: LimitName };

/** What a confirm found: the hold confirmed now, or the reservation as it already was. */
export type ConfirmOutcome =
  | { kind: 'confirmed'; reservation: ReservationEntity }
  | { kind: 'unchanged'; reservation: ReservationEntity };

/** Holds that ran out, expired in one transaction: their tickets are back on sale with `change`. */
export interface Expired {
  change: CommittedChange;
  reservations: ReservationEntity[];
}

/** A reservation with the user holding it. */
export interface HeldReservation {
  reservation: ReservationEntity;
  holder: UserSummary;
}

/**
 * The database side of reservations: the race-free reserve, confirm, cancel and expire
 * transactions (each with its audit entries), and reads.
 */
/** The entity of a hold just inserted (both reserve paths). */
function newHold(
  draft: ReserveDraft,
  id: number,
  witness: number[],
  expiresAt: Date,
  createdAt: Date,
): ReservationEntity {
  return Object.assign(new ReservationEntity(), {
    ...draft,
    id,
    status: 'held' as const,
    ticketIds: witness,
    ticketCount: witness.length,
    expiresAt,
    settledAt: null,
    expiryWarned: 0,
    createdAt,
  });
}

@Injectable()
export class ReservationStore {
  constructor(
    private readonly database: Database,
    private readonly outbox: InventoryOutbox,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly config: AppConfig,
    private readonly multiStatementPool: MultiStatementPool,
  ) {}

  findById(id: number): Promise<ReservationEntity | null> {
    return this.database.read((manager) => manager.findOneBy(ReservationEntity, { id }));
  }

  findByRequest(userId: number, requestId: string): Promise<ReservationEntity | null> {
    return this.database.read((manager) => manager.findOneBy(ReservationEntity, { userId, requestId }));
  }

  listByUser(userId: number): Promise<ReservationEntity[]> {
    return this.database.read((manager) =>
      manager.find(ReservationEntity, { where: { userId }, order: { id: 'DESC' } }),
    );
  }

  /** The event's hold time and limits, and what the user holds there; null when the event does not exist. */
  termsAndUsage(eventId: number, userId: number): Promise<{ terms: EventTerms; usage: Usage } | null> {
    return this.database.read(async (manager) => {
      const [terms] = (await manager.query(RESERVATION_SQL.terms, [eventId])) as TermsRow[];
      if (!terms) return null;
      const [usage] = (await manager.query(RESERVATION_SQL.usage, [userId, eventId])) as UsageRow[];
      return { terms: toTerms(terms), usage: toUsage(usage) };
    });
  }

  /** A page of the event's reservations, newest first, with their holders. */
  pageByEvent(
    eventId: number,
    query: { offset: number; limit: number; status?: ReservationStatus },
  ): Promise<{ total: number; rows: HeldReservation[] }> {
    return this.database.read(async (manager) => {
      const where = { eventId, ...(query.status ? { status: query.status } : {}) };
      const [reservations, total] = await manager.findAndCount(ReservationEntity, {
        where,
        order: { id: 'DESC' },
        skip: query.offset,
        take: query.limit,
      });
      const userIds = [...new Set(reservations.map((reservation) => reservation.userId))];
      const users =
        userIds.length === 0
          ? []
          : ((await manager.query(
              `SELECT id, email, display_name FROM users WHERE id IN (${placeholders(userIds.length)})`,
              userIds,
            )) as {
              id: number | string;
              email: string;
              display_name: string;
            }[]);
      const holders = new Map(
        users.map((user) => [
          Number(user.id),
          { id: Number(user.id), email: user.email, displayName: user.display_name },
        ]),
      );
      const rows = reservations.map((reservation) => ({
        reservation,
        holder: holders.get(reservation.userId) ?? {
          id: reservation.userId,
          email: '',
          displayName: '(deleted user)',
        },
      }));
      return { total, rows };
    });
  }

  /** Labels and values of these tickets, in the order given (a deleted ticket is left out). */
  ticketsOf(ticketIds: readonly number[]): Promise<{ id: number; label: string; value: number }[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.database.read(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, label, value FROM tickets WHERE id IN (${placeholders(ticketIds.length)})`,
        [...ticketIds],
      )) as {
        id: number | string;
        label: string;
        value: number | string;
      }[];
      const byId = new Map(
        rows.map((row) => [
          Number(row.id),
          { id: Number(row.id), label: row.label, value: Number(row.value) },
        ]),
      );
      return ticketIds.flatMap((id) => byId.get(id) ?? []);
    });
  }

  /**
   * One transaction: check the event's limits against what the user holds there (after taking
   * the user's row lock on MySQL, so two reservations of one user never both pass), flip exactly
   * the witness's tickets with a conditional UPDATE and require every one of them to change,
   * insert the hold and name it on its tickets, hold them in reservation_tickets (ticket_id is
   * the primary key), bump the event's version (its row lock orders the event's commits), record
   * the outbox row and the audit entry. Anything short of that rolls back. Witnesses up to
   * MYSQL_FAST_PATH_MAX_TICKETS take reserveOnMysql on MySQL.
   */
  async reserve(draft: ReserveDraft, witness: number[]): Promise<ReserveOutcome> {
    if (!this.database.isSqlite && witness.length <= MYSQL_FAST_PATH_MAX_TICKETS)
      return this.reserveOnMysql(draft, witness);
    try {
      const committed = await this.database.transaction((manager) => this.reserveIn(manager, draft, witness));
      return { kind: 'reserved', ...committed };
    } catch (error) {
      if (error instanceof StaleWitness) return { kind: 'stale' };
      if (error instanceof LimitPassed) return { kind: 'limit', limit: error.limit };
      // The event was deleted meanwhile (its row is gone, and the reservation's foreign key says so).
      if (isForeignKeyViolation(error)) throw notFound('Event');
      if (isUniqueViolation(error)) {
        const same = await this.findByRequest(draft.userId, draft.requestId);
        // Otherwise a ticket was already held: the witness was stale.
        return same ? { kind: 'duplicate', reservation: same } : { kind: 'stale' };
      }
      throw error;
    }
  }

  /**
   * Confirms a hold before its deadline: one conditional update, so a confirm racing the hold's
   * expiry (on any replica) has exactly one winner. Anything else answers the reservation as it is.
   */
  confirm(reservation: ReservationEntity, actorId: number): Promise<ConfirmOutcome> {
    return this.database.transaction(async (manager) => {
      const now = this.clock.now();
      const at = this.database.sqlDate(now);
      const changed = await rowsChanged(
        manager,
        "UPDATE reservations SET status = 'confirmed', settled_at = ?, expires_at = NULL WHERE id = ? AND status = 'held' AND expires_at > ?",
        [at, reservation.id, at],
      );
      if (changed === 1) {
        await this.audit.record(manager, {
          actorId,
          action: 'reservation.confirmed',
          eventId: reservation.eventId,
          reservationId: reservation.id,
          requestId: reservation.requestId,
          details: { level: reservation.level, ticketCount: reservation.ticketCount },
        });
      }
      const current = await manager.findOneByOrFail(ReservationEntity, { id: reservation.id });
      return { kind: changed === 1 ? 'confirmed' : 'unchanged', reservation: current };
    });
  }

  /**
   * Cancels (by its holder) or releases (by an admin) a held or confirmed reservation and returns
   * its tickets to the pool, in one transaction, a chunk of tickets per statement with a turn of
   * the event loop between (a reservation may hold 100,000). The event row's lock is taken first,
   * as every other change of the event takes it, before the reservation's row.
   */
  cancel(
    reservation: ReservationEntity,
    status: 'cancelled' | 'released',
    actorId: number,
  ): Promise<Committed> {
    return this.database.transaction(async (manager) => {
      const held = reservation.ticketCount;
      const head = await this.outbox.bumpVersion(manager, reservation.eventId, { total: 0, available: held });
      if (!head) throw notFound('Event');
      const now = this.clock.now();
      const changed = await rowsChanged(
        manager,
        "UPDATE reservations SET status = ?, settled_at = ?, expires_at = NULL WHERE id = ? AND status IN ('held', 'confirmed')",
        [status, this.database.sqlDate(now), reservation.id],
      );
      if (changed !== 1)
        throw new AppError(ErrorCode.CONFLICT, 'The reservation no longer holds its tickets');
      const tickets = await this.returnTickets(manager, [reservation.id]);
      if (tickets.ids.length !== held)
        throw new Error(
          `reservation ${reservation.id} holds ${tickets.ids.length} tickets, expected ${held}`,
        );
      const change = await this.outbox.recordChange(manager, head, {
        cause: 'released',
        ticketIds: tickets.ids,
        values: tickets.values,
      });
      await this.audit.record(manager, {
        actorId,
        action: status === 'cancelled' ? 'reservation.cancelled' : 'reservation.released',
        eventId: reservation.eventId,
        reservationId: reservation.id,
        subjectUserId: status === 'released' ? reservation.userId : null,
        details: { from: reservation.status, ticketCount: held },
      });
      return {
        reservation: Object.assign(new ReservationEntity(), reservation, {
          status,
          settledAt: now,
          expiresAt: null,
        }),
        change,
      };
    });
  }

  /** Events with holds due at `now` (at most `limit`). */
  async eventsWithDueHolds(now: Date, limit: number): Promise<number[]> {
    const rows = await this.database.read(
      (manager) =>
        manager.query(
          "SELECT DISTINCT event_id FROM reservations WHERE status = 'held' AND expires_at <= ? LIMIT ?",
          [this.database.sqlDate(now), limit],
        ) as Promise<{ event_id: number | string }[]>,
    );
    return rows.map((row) => Number(row.event_id));
  }

  /**
   * Expires the event's holds that are due at `now`, in one transaction and one inventory change
   * (cause `expired`): their tickets go back on sale, each gets an audit entry by the system. Any
   * replica may run it at any time: the event's row lock comes first (as for every change of the
   * event), then the due holds are read with a locking read, so a hold confirmed or cancelled
   * meanwhile is left alone and each hold expires exactly once. Null when none is due.
   */
  expireDueHolds(eventId: number, now: Date): Promise<Expired | null> {
    return this.database.transaction(async (manager) => {
      const forUpdate = this.database.isSqlite ? '' : ' FOR UPDATE';
      const [event] = (await manager.query(`SELECT id FROM events WHERE id = ?${forUpdate}`, [
        eventId,
      ])) as unknown[];
      if (!event) return null;
      const at = this.database.sqlDate(now);
      const dueQuery = manager
        .createQueryBuilder(ReservationEntity, 'r')
        .where("r.event_id = :eventId AND r.status = 'held' AND r.expires_at <= :at", { eventId, at })
        .orderBy('r.id', 'ASC')
        .limit(EXPIRED_PER_SWEEP);
      const due = await (this.database.isSqlite ? dueQuery : dueQuery.setLock('pessimistic_write')).getMany();
      if (due.length === 0) return null;
      const ids = due.map((reservation) => reservation.id);
      const ticketCount = due.reduce((sum, reservation) => sum + reservation.ticketCount, 0);
      const head = await this.outbox.bumpVersion(manager, eventId, { total: 0, available: ticketCount });
      if (!head) return null;
      await manager.query(
        `UPDATE reservations SET status = 'expired', settled_at = ? WHERE id IN (${placeholders(ids.length)})`,
        [at, ...ids],
      );
      const tickets = await this.returnTickets(manager, ids);
      const change = await this.outbox.recordChange(manager, head, {
        cause: 'expired',
        ticketIds: tickets.ids,
        values: tickets.values,
      });
      await this.audit.record(
        manager,
        ...due.map((reservation) => ({
          actorId: null,
          action: 'reservation.expired' as const,
          eventId,
          reservationId: reservation.id,
          subjectUserId: reservation.userId,
          details: {
            level: reservation.level,
            ticketCount: reservation.ticketCount,
            expiresAt: reservation.expiresAt?.toISOString() ?? null,
          },
        })),
      );
      const reservations = due.map((reservation) =>
        Object.assign(reservation, { status: 'expired' as const, settledAt: now }),
      );
      return { change, reservations };
    });
  }

  /**
   * Holds that run out before `until` and whose holder was not warned yet, each claimed by one
   * conditional update so that only one replica warns about it.
   */
  async claimWarnings(until: Date, limit: number): Promise<ReservationEntity[]> {
    const candidates = await this.database.read((manager) =>
      manager
        .createQueryBuilder(ReservationEntity, 'r')
        .where("r.status = 'held' AND r.expiry_warned = 0 AND r.expires_at <= :until", {
          until: this.database.sqlDate(until),
        })
        .orderBy('r.expires_at', 'ASC')
        .limit(limit)
        .getMany(),
    );
    if (candidates.length === 0) return [];
    return this.database.transaction(async (manager) => {
      const claimed: ReservationEntity[] = [];
      for (const reservation of candidates) {
        const changed = await rowsChanged(
          manager,
          "UPDATE reservations SET expiry_warned = 1 WHERE id = ? AND expiry_warned = 0 AND status = 'held'",
          [reservation.id],
        );
        if (changed === 1) claimed.push(reservation);
      }
      return claimed;
    });
  }

  /** Puts the tickets of these reservations back on sale (chunked); answers their ids and values, ascending. */
  private async returnTickets(
    manager: EntityManager,
    reservationIds: readonly number[],
  ): Promise<{ ids: number[]; values: number[] }> {
    const ids: number[] = [];
    const values: number[] = [];
    const slices = this.timers.slices();
    const holders = placeholders(reservationIds.length);
    for (let after = 0; ;) {
      const rows = (await manager.query(
        `SELECT id, value FROM tickets WHERE reservation_id IN (${holders}) AND id > ? ORDER BY id LIMIT ?`,
        [...reservationIds, after, WRITE_CHUNK_ROWS],
      )) as { id: number | string; value: number | string }[];
      if (rows.length === 0) break;
      const chunk = rows.map((row) => Number(row.id));
      const list = placeholders(chunk.length);
      await manager.query(
        `UPDATE tickets SET status = 'available', reservation_id = NULL WHERE id IN (${list})`,
        chunk,
      );
      await manager.query(`DELETE FROM reservation_tickets WHERE ticket_id IN (${list})`, chunk);
      for (const row of rows) values.push(Number(row.value));
      for (const id of chunk) ids.push(id);
      after = chunk[chunk.length - 1];
      await slices.breathe();
    }
    return { ids, values };
  }

  /**
   * The same transaction as reserveIn() in two round trips on one connection of the
   * multi-statement pool, because the reserve path is serialised per event and every round trip
   * waits for a turn of a busy event loop. Trip 1: START, the user's row lock, the event's terms
   * and what the user holds there, and the conditional flip of the witness's tickets (its affected
   * rows decide). Trip 2: either ROLLBACK, or bump the event and write the outbox row (the
   * bump_and_record procedure, as InventoryOutbox.bumpAndRecord; the event row's lock orders the
   * event's commits), insert the hold, name it on its tickets, hold them, write the audit entry,
   * and COMMIT. The hold is inserted after the bump: its foreign key check takes a shared lock on
   * the event row, and taking that before the bump's exclusive one would deadlock two concurrent
   * reservations of the event.
   */
  private async reserveOnMysql(draft: ReserveDraft, witness: number[]): Promise<ReserveOutcome> {
    return this.multiStatementPool.withConnection(async (connection) => {
      let open = true;
      try {
        const first = await statementResults<[OkPacket, unknown[], TermsRow[], UsageRow[], OkPacket]>(
          connection,
          [
            'START TRANSACTION',
            RESERVATION_SQL.lockUser,
            RESERVATION_SQL.terms,
            RESERVATION_SQL.usage,
            RESERVATION_SQL.flip(witness.length),
          ],
          [draft.userId, draft.eventId, draft.userId, draft.eventId, ...witness, draft.eventId],
        );
        const [, , [termsRow], [usageRow], flipped] = first;
        const terms = termsRow && toTerms(termsRow);
        const passed = terms ? limitPassed(terms.limits, toUsage(usageRow), witness.length) : null;
        if (!terms || passed || !isWholeCombination(flipped.affectedRows, witness.length)) {
          await connection.query('ROLLBACK');
          open = false;
          if (!terms) throw notFound('Event');
          return passed ? { kind: 'limit', limit: passed } : { kind: 'stale' };
        }
        const createdAt = this.clock.now();
        const expiresAt = holdDeadline(createdAt.getTime(), terms.holdTtlSeconds, this.config.holdTtlSeconds);
        const committedAt = this.clock.nowMs();
        const items = JSON.stringify({ ids: witness, values: null });
        const entry = heldEntry(draft, witness.length, expiresAt);
        const second = await statementResults<
          [HeadRow[], OkPacket, OkPacket, OkPacket, OkPacket, OkPacket, OkPacket]
        >(
          connection,
          [
            'CALL bump_and_record(?, 0, ?, ?, ?, ?)',
            RESERVATION_SQL.insert,
            RESERVATION_SQL.name(witness.length, 'LAST_INSERT_ID()'),
            RESERVATION_SQL.hold(witness.length, 'LAST_INSERT_ID()'),
            AUDIT_SQL.insert(1, 'LAST_INSERT_ID()'),
            'COMMIT',
          ],
          [
            draft.eventId,
            -witness.length,
            'reserved',
            items,
            committedAt,
            ...insertParams(draft, witness, expiresAt, createdAt),
            ...witness,
            ...witness,
            ...AUDIT_SQL.params(entry, createdAt, false),
          ],
        );
        open = false;
        const [head] = second[0];
        if (!head) throw notFound('Event');
        const reservation = newHold(draft, second[2].insertId, witness, expiresAt, createdAt);
        const change: CommittedChange = {
          eventId: draft.eventId,
          version: Number(head.version),
          cause: 'reserved',
          ticketIds: witness,
          values: null,
          totalTickets: Number(head.total_tickets),
          availableTickets: Number(head.available_tickets),
          committedAt,
        };
        return { kind: 'reserved', reservation, change };
      } catch (error) {
        if (open) await connection.query('ROLLBACK').catch(() => undefined);
        if (isUniqueViolation(error)) {
          const same = await this.findByRequest(draft.userId, draft.requestId);
          return same ? { kind: 'duplicate', reservation: same } : { kind: 'stale' };
        }
        if (isForeignKeyViolation(error)) throw notFound('Event');
        if (isRetryable(error)) return { kind: 'stale' };
        throw error;
      }
    });
  }

  /**
   * The chunked path (SQLite, and large witnesses on MySQL): the limits first (under the user's
   * row lock on MySQL; SQLite's write queue serialises everything), the hold's row (its id names
   * the tickets), the flips and holds a chunk at a time, and the event row's lock (version bump)
   * last, so the lock that orders the event's commits is held only for the bump, the outbox row and
   * the commit. (On MySQL the hold's foreign key check takes a shared lock on the event row first;
   * two large reservations of one event at once may then deadlock, and Database retries.)
   */
  private async reserveIn(
    manager: EntityManager,
    draft: ReserveDraft,
    witness: number[],
  ): Promise<Committed> {
    if (!this.database.isSqlite) await manager.query(RESERVATION_SQL.lockUser, [draft.userId]);
    const [termsRow] = (await manager.query(RESERVATION_SQL.terms, [draft.eventId])) as TermsRow[];
    if (!termsRow) throw notFound('Event');
    const terms = toTerms(termsRow);
    const [usageRow] = (await manager.query(RESERVATION_SQL.usage, [
      draft.userId,
      draft.eventId,
    ])) as UsageRow[];
    const passed = limitPassed(terms.limits, toUsage(usageRow), witness.length);
    if (passed) throw new LimitPassed(passed);
    const createdAt = this.clock.now();
    const expiresAt = holdDeadline(createdAt.getTime(), terms.holdTtlSeconds, this.config.holdTtlSeconds);
    const inserted: unknown = await manager.query(
      RESERVATION_SQL.insert,
      insertParams(draft, witness, this.database.sqlDate(expiresAt), this.database.sqlDate(createdAt)),
    );
    const reservation = newHold(draft, insertedId(inserted), witness, expiresAt, createdAt);
    const slices = this.timers.slices();
    let flipped = 0;
    for (let i = 0; i < witness.length; i += WRITE_CHUNK_ROWS) {
      const chunk = witness.slice(i, i + WRITE_CHUNK_ROWS);
      flipped += await rowsChanged(manager, RESERVATION_SQL.flip(chunk.length), [...chunk, draft.eventId]);
      await slices.breathe();
    }
    if (!isWholeCombination(flipped, witness.length)) throw new StaleWitness();
    for (let i = 0; i < witness.length; i += WRITE_CHUNK_ROWS) {
      const chunk = witness.slice(i, i + WRITE_CHUNK_ROWS);
      await manager.query(RESERVATION_SQL.name(chunk.length, '?'), [reservation.id, ...chunk]);
      await manager.query(
        RESERVATION_SQL.hold(chunk.length, '?'),
        chunk.flatMap((ticketId) => [ticketId, reservation.id]),
      );
      await slices.breathe();
    }
    const change = await this.outbox.bumpAndRecord(
      manager,
      draft.eventId,
      { total: 0, available: -witness.length },
      { cause: 'reserved', ticketIds: witness, values: null },
    );
    if (!change) throw notFound('Event');
    await this.audit.record(manager, {
      ...heldEntry(draft, witness.length, expiresAt),
      reservationId: reservation.id,
    });
    return { reservation, change };
  }
}
