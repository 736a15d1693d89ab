import { AUDIT_ACTIONS, type AuditAction, type AuditQuery } from '@tickets/protocol';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { IsIdParam, IsPageLimit, IsPageOffset } from '../../common/validation';

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
