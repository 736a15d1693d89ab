import { Injectable } from '@nestjs/common';
import { ErrorCode, type ReservationStatus, type UserSummary } from '@tickets/protocol';
import { EntityManager, In } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { Timers } from '../common/timers';
import { placeholders, WRITE_CHUNK_ROWS } from '../database/chunks';
import { MultiStatementPool } from '../database/multi-statement-pool';
import { Database } from '../database/database';
import { isForeignKeyViolation, isRetryable, isUniqueViolation } from '../database/driver-errors';
import { CommittedChange } from '../inventory/committed-change';
import { InventoryOutbox } from '../inventory/inventory-outbox';
import { TicketEntity } from '../tickets/ticket.entity';
import { ReservationEntity } from './reservation.entity';
import { isWholeCombination } from './reservation-rules';

/** Witnesses up to this size take the two-round-trip MySQL path (one IN list, one VALUES list). */
const MYSQL_FAST_PATH_MAX_TICKETS = 5000;

interface OkPacket {
  affectedRows: number;
  insertId: number;
}

/** The id of the row a plain INSERT created: better-sqlite3 answers it, mysql2 answers a header holding it. */
function insertedId(result: unknown): number {
  if (typeof result === 'number' || typeof result === 'bigint') return Number(result);
  return Number((result as OkPacket).insertId);
}

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
   * One transaction: bump the event's version (its row lock orders the event's changes), insert
   * the reservation, flip exactly the witness's tickets with a conditional UPDATE and require every
   * one of them to change, hold them in reservation_tickets (ticket_id is the primary key), record
   * the outbox row. Anything short of the whole witness rolls back.
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
   * waits for a turn of a busy event loop. Trip 1: START and the conditional UPDATE of the
   * witness's tickets (its affected rows decide). Trip 2: either ROLLBACK, or bump the event (its
   * row lock orders the event's commits), insert the reservation, name it on its tickets, hold
   * them, write the outbox row, read the head back and COMMIT. The reservation is inserted after
   * the bump: its foreign key check takes a shared lock on the event row, and taking that before
   * the bump's exclusive one would deadlock two concurrent reservations of the event.
   */
  private async reserveOnMysql(draft: ReserveDraft, witness: number[]): Promise<ReserveOutcome> {
    return this.multiStatementPool.withConnection(async (connection) => {
      const createdAt = this.clock.now();
      const ids = witness.map(() => '?').join(', ');
      let open = true;
      try {
        const [first] = (await connection.query(
          `START TRANSACTION;
           UPDATE tickets SET status = 'reserved' WHERE id IN (${ids}) AND event_id = ? AND status = 'available'`,
          [...witness, draft.eventId],
        )) as unknown as [[OkPacket, OkPacket]];
        if (!isWholeCombination(first[1].affectedRows, witness.length)) {
          await connection.query('ROLLBACK');
          open = false;
          return { kind: 'stale' };
        }
        const committedAt = this.clock.nowMs();
        const [second] = (await connection.query(
          `UPDATE events SET version = version + 1, available_tickets = available_tickets - ? WHERE id = ?;
           INSERT INTO reservations (event_id, user_id, level, status, request_id, ticket_ids, created_at) VALUES (?, ?, ?, 'active', ?, ?, ?);
           UPDATE tickets SET reservation_id = LAST_INSERT_ID() WHERE id IN (${ids});
           INSERT INTO reservation_tickets (ticket_id, reservation_id) VALUES ${witness.map(() => '(?, LAST_INSERT_ID())').join(', ')};
           INSERT INTO inventory_changes (event_id, version, cause, items, total_tickets, available_tickets, committed_at)
             SELECT id, version, 'reserved', ?, total_tickets, available_tickets, ? FROM events WHERE id = ?;
           SELECT version, total_tickets, available_tickets FROM events WHERE id = ?;
           COMMIT`,
          [
            witness.length,
            draft.eventId,
            draft.eventId,
            draft.userId,
            draft.level,
            draft.requestId,
            JSON.stringify(witness),
            createdAt,
            ...witness,
            ...witness,
            JSON.stringify({ ids: witness, values: null }),
            committedAt,
            draft.eventId,
            draft.eventId,
          ],
        )) as unknown as [[OkPacket, OkPacket, OkPacket, OkPacket, OkPacket, { version: number; total_tickets: number; available_tickets: number }[], OkPacket]];
        open = false;
        const head = second[5][0];
        const reservation = Object.assign(new ReservationEntity(), {
          ...draft,
          id: second[1].insertId,
          status: 'active' as const,
          ticketIds: witness,
          createdAt,
        });
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
   * Flips the witness first and takes the event row lock (version bump) last, so the lock that
   * orders the event's commits is held only for the version bump, the outbox row and the commit.
   */
  private async reserveIn(manager: EntityManager, draft: ReserveDraft, witness: number[]): Promise<Committed> {
    const createdAt = this.clock.now();
    // Plain SQL: the row carries the whole combination, up to 100,000 ids.
    const inserted: unknown = await manager.query(
      "INSERT INTO reservations (event_id, user_id, level, status, request_id, ticket_ids, created_at) VALUES (?, ?, ?, 'active', ?, ?, ?)",
      [draft.eventId, draft.userId, draft.level, draft.requestId, JSON.stringify(witness), this.database.sqlDate(createdAt)],
    );
    const reservation = Object.assign(new ReservationEntity(), {
      ...draft,
      id: insertedId(inserted),
      status: 'active' as const,
      ticketIds: witness,
      createdAt,
    });
    let flipped = 0;
    const slices = this.timers.slices();
    for (let i = 0; i < witness.length; i += WRITE_CHUNK_ROWS) {
      const chunk = witness.slice(i, i + WRITE_CHUNK_ROWS);
      const result = await manager
        .createQueryBuilder()
        .update(TicketEntity)
        .set({ status: 'reserved', reservationId: reservation.id })
        .where({ id: In(chunk), eventId: draft.eventId, status: 'available' })
        .execute();
      flipped += result.affected ?? 0;
      await slices.breathe();
    }
    if (!isWholeCombination(flipped, witness.length)) throw new StaleWitness();
    for (let i = 0; i < witness.length; i += WRITE_CHUNK_ROWS) {
      const chunk = witness.slice(i, i + WRITE_CHUNK_ROWS);
      await manager.query(
        `INSERT INTO reservation_tickets (ticket_id, reservation_id) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`,
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
    return { reservation, change };
  }
}
