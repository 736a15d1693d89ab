import { Injectable } from '@nestjs/common';
import { ErrorCode, type ReservationStatus, type UserSummary } from '@tickets/protocol';
import { EntityManager } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { Timers } from '../common/timers';
import { placeholders, rowsChanged, WRITE_CHUNK_ROWS } from '../database/chunks';
import { MultiStatementPool } from '../database/multi-statement-pool';
import { Database } from '../database/database';
import { isForeignKeyViolation, isRetryable, isUniqueViolation } from '../database/driver-errors';
import { CommittedChange } from '../inventory/committed-change';
import { InventoryOutbox } from '../inventory/inventory-outbox';
import { ReservationEntity } from './reservation.entity';
import { isWholeCombination } from './reservation-rules';

/** Witnesses up to this size take the two-round-trip MySQL path (one IN list, one VALUES list). */
const MYSQL_FAST_PATH_MAX_TICKETS = 5000;

interface OkPacket {
  affectedRows: number;
  insertId: number;
}

interface HeadRow {
  version: number | string;
  total_tickets: number | string;
  available_tickets: number | string;
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
  insert: "INSERT INTO reservations (event_id, user_id, level, status, request_id, ticket_ids, created_at) VALUES (?, ?, ?, 'active', ?, ?, ?)",
  /** Flips the tickets that are still available; its affected rows say whether all of them were. */
  flip: (count: number): string => `UPDATE tickets SET status = 'reserved' WHERE id IN (${placeholders(count)}) AND event_id = ? AND status = 'available'`,
  name: (count: number, reservationId: string): string => `UPDATE tickets SET reservation_id = ${reservationId} WHERE id IN (${placeholders(count)})`,
  hold: (count: number, reservationId: string): string =>
    `INSERT INTO reservation_tickets (ticket_id, reservation_id) VALUES ${Array.from({ length: count }, () => `(?, ${reservationId})`).join(', ')}`,
};

const insertParams = (draft: ReserveDraft, witness: readonly number[], createdAt: Date | string): unknown[] => [
  draft.eventId,
  draft.userId,
  draft.level,
  draft.requestId,
  JSON.stringify(witness),
  createdAt,
];

/** Thrown inside the transaction when the witness was no longer fully available: roll back. */
class StaleWitness extends Error {}

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
  | { kind: 'duplicate'; reservation: ReservationEntity };

/** A reservation with the user holding it. */
export interface HeldReservation {
  reservation: ReservationEntity;
  holder: UserSummary;
}

export interface ReserveDraft {
  eventId: number;
  userId: number;
  level: number;
  requestId: string;
}

/** The database side of reservations: the race-free reserve and cancel transactions and reads. */
@Injectable()
export class ReservationStore {
  constructor(
    private readonly database: Database,
    private readonly outbox: InventoryOutbox,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly multiStatementPool: MultiStatementPool,
  ) {}

  findById(id: number): Promise<ReservationEntity | null> {
    return this.database.read((manager) => manager.findOneBy(ReservationEntity, { id }));
  }

  findByRequest(userId: number, requestId: string): Promise<ReservationEntity | null> {
    return this.database.read((manager) => manager.findOneBy(ReservationEntity, { userId, requestId }));
  }

  listByUser(userId: number): Promise<ReservationEntity[]> {
    return this.database.read((manager) => manager.find(ReservationEntity, { where: { userId }, order: { id: 'DESC' } }));
  }

  /** A page of the event's reservations, newest first, with their holders. */
  pageByEvent(eventId: number, query: { offset: number; limit: number; status?: ReservationStatus }): Promise<{ total: number; rows: HeldReservation[] }> {
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
          : ((await manager.query(`SELECT id, email, display_name FROM users WHERE id IN (${placeholders(userIds.length)})`, userIds)) as {
              id: number | string;
              email: string;
              display_name: string;
            }[]);
      const holders = new Map(users.map((user) => [Number(user.id), { id: Number(user.id), email: user.email, displayName: user.display_name }]));
      const rows = reservations.map((reservation) => ({
        reservation,
        holder: holders.get(reservation.userId) ?? { id: reservation.userId, email: '', displayName: '(deleted user)' },
      }));
      return { total, rows };
    });
  }

  /** Labels and values of these tickets, in the order given (a deleted ticket is left out). */
  ticketsOf(ticketIds: readonly number[]): Promise<{ id: number; label: string; value: number }[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.database.read(async (manager) => {
      const rows = (await manager.query(`SELECT id, label, value FROM tickets WHERE id IN (${placeholders(ticketIds.length)})`, [...ticketIds])) as {
        id: number | string;
        label: string;
        value: number | string;
      }[];
      const byId = new Map(rows.map((row) => [Number(row.id), { id: Number(row.id), label: row.label, value: Number(row.value) }]));
      return ticketIds.flatMap((id) => byId.get(id) ?? []);
    });
  }

  /**
   * One transaction: flip exactly the witness's tickets with a conditional UPDATE and require every
   * one of them to change, insert the reservation and name it on its tickets, hold them in
   * reservation_tickets (ticket_id is the primary key), bump the event's version (its row lock
   * orders the event's commits) and record the outbox row. Anything short of the whole witness
   * rolls back. Witnesses up to MYSQL_FAST_PATH_MAX_TICKETS take reserveOnMysql on MySQL.
   */
  async reserve(draft: ReserveDraft, witness: number[]): Promise<ReserveOutcome> {
    if (!this.database.isSqlite && witness.length <= MYSQL_FAST_PATH_MAX_TICKETS) return this.reserveOnMysql(draft, witness);
    try {
      const committed = await this.database.transaction((manager) => this.reserveIn(manager, draft, witness));
      return { kind: 'reserved', ...committed };
    } catch (error) {
      if (error instanceof StaleWitness) return { kind: 'stale' };
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
   * Cancels an active reservation and returns its tickets to the pool, in one transaction, a chunk
   * of tickets per statement with a turn of the event loop between (a reservation may hold 100,000).
   */
  cancel(reservation: ReservationEntity): Promise<Committed> {
    const reservationId = reservation.id;
    return this.database.transaction(async (manager) => {
      const held = reservation.ticketIds.length;
      const head = await this.outbox.bumpVersion(manager, reservation.eventId, { total: 0, available: held });
      if (!head) throw notFound('Event');
      const cancelled = await manager
        .createQueryBuilder()
        .update(ReservationEntity)
        .set({ status: 'cancelled' })
        .where("id = :reservationId AND status = 'active'", { reservationId })
        .execute();
      if (cancelled.affected !== 1) throw new AppError(ErrorCode.CONFLICT, 'Reservation was cancelled concurrently');
      const ids: number[] = [];
      const values: number[] = [];
      const slices = this.timers.slices();
      for (let after = 0; ; ) {
        const rows = (await manager.query('SELECT id, value FROM tickets WHERE reservation_id = ? AND id > ? ORDER BY id LIMIT ?', [
          reservationId,
          after,
          WRITE_CHUNK_ROWS,
        ])) as { id: number | string; value: number | string }[];
        if (rows.length === 0) break;
        const chunk = rows.map((row) => Number(row.id));
        const list = placeholders(chunk.length);
        await manager.query(`UPDATE tickets SET status = 'available', reservation_id = NULL WHERE id IN (${list})`, chunk);
        await manager.query(`DELETE FROM reservation_tickets WHERE ticket_id IN (${list})`, chunk);
        for (const row of rows) values.push(Number(row.value));
        for (const id of chunk) ids.push(id);
        after = chunk[chunk.length - 1];
        await slices.breathe();
      }
      if (ids.length !== held) throw new Error(`reservation ${reservationId} holds ${ids.length} tickets, expected ${held}`);
      const change = await this.outbox.recordChange(manager, head, { cause: 'released', ticketIds: ids, values });
      return { reservation: { ...reservation, status: 'cancelled' as const }, change };
    });
  }

  /**
   * The same transaction as reserveIn() in two round trips on one connection of the
   * multi-statement pool, because the reserve path is serialised per event and every round trip
   * waits for a turn of a busy event loop. Trip 1: START and the conditional flip of the witness's
   * tickets (its affected rows decide). Trip 2: either ROLLBACK, or bump the event and write the
   * outbox row (the bump_and_record procedure, as InventoryOutbox.bumpAndRecord; the event row's
   * lock orders the event's commits), insert the reservation, name it on its tickets, hold them,
   * and COMMIT. The reservation is inserted after the bump: its foreign key check takes a shared
   * lock on the event row, and taking that before the bump's exclusive one would deadlock two
   * concurrent reservations of the event.
   */
  private async reserveOnMysql(draft: ReserveDraft, witness: number[]): Promise<ReserveOutcome> {
    return this.multiStatementPool.withConnection(async (connection) => {
      const createdAt = this.clock.now();
      let open = true;
      try {
        const [first] = (await connection.query(`START TRANSACTION; ${RESERVATION_SQL.flip(witness.length)}`, [...witness, draft.eventId])) as unknown as [
          [OkPacket, OkPacket],
        ];
        if (!isWholeCombination(first[1].affectedRows, witness.length)) {
          await connection.query('ROLLBACK');
          open = false;
          return { kind: 'stale' };
        }
        const committedAt = this.clock.nowMs();
        const items = JSON.stringify({ ids: witness, values: null });
        const [second] = (await connection.query(
          [
            'CALL bump_and_record(?, 0, ?, ?, ?, ?)',
            RESERVATION_SQL.insert,
            RESERVATION_SQL.name(witness.length, 'LAST_INSERT_ID()'),
            RESERVATION_SQL.hold(witness.length, 'LAST_INSERT_ID()'),
            'COMMIT',
          ].join(';\n'),
          [draft.eventId, -witness.length, 'reserved', items, committedAt, ...insertParams(draft, witness, createdAt), ...witness, ...witness],
        )) as unknown as [[HeadRow[], OkPacket, OkPacket, OkPacket, OkPacket, OkPacket]];
        open = false;
        const [head] = second[0];
        if (!head) throw notFound('Event');
        const reservation = Object.assign(new ReservationEntity(), { ...draft, id: second[2].insertId, status: 'active' as const, ticketIds: witness, createdAt });
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
   * The chunked path (SQLite, and large witnesses on MySQL): the reservation row first (its id names
   * the tickets), the flips and holds a chunk at a time, and the event row's lock (version bump)
   * last, so the lock that orders the event's commits is held only for the bump, the outbox row and
   * the commit. (On MySQL the reservation's foreign key check takes a shared lock on the event row
   * first; two large reservations of one event at once may then deadlock, and Database retries.)
   */
  private async reserveIn(manager: EntityManager, draft: ReserveDraft, witness: number[]): Promise<Committed> {
    const createdAt = this.clock.now();
    const inserted: unknown = await manager.query(RESERVATION_SQL.insert, insertParams(draft, witness, this.database.sqlDate(createdAt)));
    const reservation = Object.assign(new ReservationEntity(), { ...draft, id: insertedId(inserted), status: 'active' as const, ticketIds: witness, createdAt });
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
      await manager.query(RESERVATION_SQL.hold(chunk.length, '?'), chunk.flatMap((ticketId) => [ticketId, reservation.id]));
      await slices.breathe();
    }
    const change = await this.outbox.bumpAndRecord(
      manager,
      draft.eventId,
      { total: 0, available: -witness.length },
      { cause: 'reserved', ticketIds: witness, values: null },
    );
    if (!change) throw notFound('Event');
    return { reservation, change };
  }
}
