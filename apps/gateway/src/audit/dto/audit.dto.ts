import type { AuditAction, AuditQuery } from '@tickets/protocol';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { IsIdParam, IsPageLimit, IsPageOffset } from '../../common/validation';

export const AUDIT_ACTIONS: readonly AuditAction[] = [
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
];

/** Entries per page of `GET /api/audit`. */
export const AUDIT_PAGE_MAX_LIMIT = 200;

export class AuditQueryDto implements AuditQuery {
  @IsOptional()
  @IsIdParam()
  eventId?: number;

  @IsOptional()
  @IsIdParam()
  userId?: number;

  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @IsPageOffset()
  offset?: number;

  @IsPageLimit(AUDIT_PAGE_MAX_LIMIT)
  limit?: number;
}
