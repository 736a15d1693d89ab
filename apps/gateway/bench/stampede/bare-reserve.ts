/**
 * bench:stampede's limit: the gateway's MySQL reserve transaction (ReservationStore.reserveOnMysql,
 * same statements, same two round trips) issued straight to MariaDB from this process through one
 * mysql2 pool as large as the replicas' pools together, on a fresh copy of the event's data,
 * replaying exactly the reservations the gateway committed: equal work, nothing but the database.
 */
import {
  createPool,
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from 'mysql2/promise';
import { ScratchDatabase } from '../../test/support/scratch-database';

/** A reservation the gateway committed, to be committed again on the copy. */
export interface ReplayedReservation {
  userId: number;
  level: number;
  requestId: string;
  ticketIds: number[];
}

export interface BareResult {
  committed: number;
  /** Reservations whose conditional UPDATE did not flip every ticket (must be 0: the sets are disjoint). */
  stale: number;
  failed: number;
  firstError: string | null;
  /** First transaction started → last commit, ms. */
  elapsedMs: number;
  committedPerSecond: number;
}

/** A new scratch database holding a copy of every table of `source` as it is now. */
export async function copyDatabase(source: ScratchDatabase, owner: string): Promise<ScratchDatabase> {
  const copy = await ScratchDatabase.create(owner);
  const connection = await copy.connect();
  try {
    const [tables] = await connection.query<RowDataPacket[]>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'",
      [source.name],
    );
    for (const { name } of tables) {
      await connection.query(`CREATE TABLE \`${name}\` LIKE \`${source.name}\`.\`${name}\``);
      await connection.query(`INSERT INTO \`${name}\` SELECT * FROM \`${source.name}\`.\`${name}\``);
    }
  } catch (error) {
    await copy.drop();
    throw error;
  } finally {
    await connection.end();
  }
  return copy;
}

/** Opens every connection of the pool now, as the gateway's replicas do at start. */
async function warm(pool: Pool, size: number): Promise<void> {
  const connections = await Promise.all(Array.from({ length: size }, () => pool.getConnection()));
  await Promise.all(connections.map((connection) => connection.query('SELECT 1')));
  connections.forEach((connection) => connection.release());
}

/** reserveOnMysql's transaction, verbatim: trip 1 flips the tickets (or rolls back), trip 2 records and commits. */
async function reserveOnce(
  connection: PoolConnection,
  eventId: number,
  reservation: ReplayedReservation,
): Promise<'committed' | 'stale'> {
  const witness = reservation.ticketIds;
  const ids = witness.map(() => '?').join(', ');
  const createdAt = new Date();
  const [first] = await connection.query<ResultSetHeader[]>(
    `START TRANSACTION;
     INSERT INTO reservations (event_id, user_id, level, status, request_id, ticket_ids, created_at) VALUES (?, ?, ?, 'held', ?, ?, ?);
     UPDATE tickets SET status = 'reserved', reservation_id = LAST_INSERT_ID() WHERE id IN (${ids}) AND event_id = ? AND status = 'available'`,
    [
      eventId,
      reservation.userId,
      reservation.level,
      reservation.requestId,
      JSON.stringify(witness),
      createdAt,
      ...witness,
      eventId,
    ],
  );
  const reservationId = first[1].insertId;
  if (first[2].affectedRows !== witness.length) {
    await connection.query('ROLLBACK');
    return 'stale';
  }
  await connection.query(
    `INSERT INTO reservation_tickets (ticket_id, reservation_id) VALUES ${witness.map(() => '(?, ?)').join(', ')};
     UPDATE events SET version = version + 1, available_tickets = available_tickets - ? WHERE id = ?;
     INSERT INTO inventory_changes (event_id, version, cause, items, total_tickets, available_tickets, committed_at)
       SELECT id, version, 'reserved', ?, total_tickets, available_tickets, ? FROM events WHERE id = ?;
     SELECT version, total_tickets, available_tickets FROM events WHERE id = ?;
     COMMIT`,
    [
      ...witness.flatMap((ticketId) => [ticketId, reservationId]),
      witness.length,
      eventId,
      JSON.stringify({ ids: witness, values: null }),
      Date.now(),
      eventId,
      eventId,
    ],
  );
  return 'committed';
}

/** Sends every reservation at once (the pool queues what exceeds its connections) and times the lot. */
export async function replayReservations(
  database: ScratchDatabase,
  eventId: number,
  reservations: readonly ReplayedReservation[],
  poolSize: number,
): Promise<BareResult> {
  const pool = createPool({
    uri: database.url,
    connectionLimit: poolSize,
    multipleStatements: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  });
  try {
    await warm(pool, poolSize);
    let committed = 0;
    let stale = 0;
    let failed = 0;
    let firstError: string | null = null;
    let lastCommitAt = performance.now();
    const started = performance.now();
    await Promise.all(
      reservations.map(async (reservation) => {
        const connection = await pool.getConnection();
        try {
          const outcome = await reserveOnce(connection, eventId, reservation);
          if (outcome === 'committed') {
            committed += 1;
            lastCommitAt = Math.max(lastCommitAt, performance.now());
          } else {
            stale += 1;
          }
        } catch (error) {
          failed += 1;
          firstError ??= (error as Error).message;
          await connection.query('ROLLBACK').catch(() => undefined);
        } finally {
          connection.release();
        }
      }),
    );
    const elapsedMs = Math.max(0.001, lastCommitAt - started);
    return {
      committed,
      stale,
      failed,
      firstError,
      elapsedMs,
      committedPerSecond: committed / (elapsedMs / 1000),
    };
  } finally {
    await pool.end();
  }
}
