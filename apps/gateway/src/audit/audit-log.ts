import { Injectable } from '@nestjs/common';
import type { AuditAction, AuditEntry, AuditPage } from '@tickets/protocol';
import { And, LessThan, MoreThanOrEqual, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { Clock } from '../common/clock';
import { WRITE_CHUNK_ROWS } from '../database/chunks';
import { Database } from '../database/database';
import { AuditEntryEntity } from './audit-entry.entity';
import type { AuditQueryDto } from './dto/audit.dto';

/** What a feature records: who did what to which event, reservation or user, and what changed. */
export interface AuditDraft {
  /** The user who acted; null for the system (a hold that ran out). */
  actorId: number | null;
  action: AuditAction;
  eventId?: number | null;
  reservationId?: number | null;
  subjectUserId?: number | null;
  requestId?: string | null;
  details: Record<string, unknown>;
}

const COLUMNS = '(at, actor_id, action, event_id, reservation_id, subject_user_id, request_id, details)';

/**
 * The audit log's statements: a row of placeholders per entry; `reservationId` may instead be an
 * SQL expression (LAST_INSERT_ID() in the reserve fast path's single round trip).
 */
export const AUDIT_SQL = {
  insert: (count: number, reservationId = '?'): string =>
    `INSERT INTO audit_log ${COLUMNS} VALUES ${Array.from({ length: count }, () => `(?, ?, ?, ?, ${reservationId}, ?, ?, ?)`).join(', ')}`,
  params: (draft: AuditDraft, at: Date | string, withReservationId = true): unknown[] => [
    at,
    draft.actorId,
    draft.action,
    draft.eventId ?? null,
    ...(withReservationId ? [draft.reservationId ?? null] : []),
    draft.subjectUserId ?? null,
    draft.requestId ?? null,
    JSON.stringify(draft.details),
  ],
};

export function toAuditEntry(row: AuditEntryEntity): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actorId: row.actorId,
    action: row.action,
    eventId: row.eventId,
    reservationId: row.reservationId,
    subjectUserId: row.subjectUserId,
    requestId: row.requestId,
    details: row.details,
  };
}

/**
 * The audit trail. Entries are written inside the transaction of the change they describe, so a
 * committed change has its entry and a rolled-back one has none. Append-only: nothing here, or
 * anywhere in the application, updates or deletes an entry.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Appends entries inside the caller's transaction. */
  async record(manager: EntityManager, ...drafts: AuditDraft[]): Promise<void> {
    const at = this.database.sqlDate(this.clock.now());
    for (let i = 0; i < drafts.length; i += WRITE_CHUNK_ROWS) {
      const chunk = drafts.slice(i, i + WRITE_CHUNK_ROWS);
      await manager.query(
        AUDIT_SQL.insert(chunk.length),
        chunk.flatMap((draft) => AUDIT_SQL.params(draft, at)),
      );
    }
  }

  /** An entry of its own (a sign-in has no other write to ride with). */
  recordAlone(draft: AuditDraft): Promise<void> {
    return this.database.transaction((manager) => this.record(manager, draft));
  }

  /** A page of the log, newest first, filtered. */
  async page(query: AuditQueryDto): Promise<AuditPage> {
    const offset = query.offset ?? 0;
    const at =
      query.from !== undefined && query.to !== undefined
        ? And(MoreThanOrEqual(new Date(query.from)), LessThan(new Date(query.to)))
        : query.from !== undefined
          ? MoreThanOrEqual(new Date(query.from))
          : query.to !== undefined
            ? LessThan(new Date(query.to))
            : undefined;
    // TypeORM refuses undefined in a where clause: an absent filter is left out, not matched against NULL.
    const common: FindOptionsWhere<AuditEntryEntity> = {
      ...(query.eventId !== undefined && { eventId: query.eventId }),
      ...(query.action !== undefined && { action: query.action }),
      ...(at !== undefined && { at }),
    };
    // A user's entries: what they did, and what was done to them.
    const where =
      query.userId === undefined
        ? common
        : [
            { ...common, actorId: query.userId },
            { ...common, subjectUserId: query.userId },
          ];
    const [rows, total] = await this.database.read((manager) =>
      manager.findAndCount(AuditEntryEntity, {
        where,
        order: { id: 'DESC' },
        skip: offset,
        take: query.limit ?? 50,
      }),
    );
    return { total, offset, rows: rows.map(toAuditEntry) };
  }

  /** A reservation's history, oldest first. */
  async ofReservation(reservationId: number): Promise<AuditEntry[]> {
    const rows = await this.database.read((manager) =>
      manager.find(AuditEntryEntity, { where: { reservationId }, order: { id: 'ASC' }, take: 100 }),
    );
    return rows.map(toAuditEntry);
  }
}
