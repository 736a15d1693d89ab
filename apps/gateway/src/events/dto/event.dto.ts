import {
  HOLD_TTL_RANGE,
  TEXT_LIMITS,
  type CreateEventRequest,
  type EventLimits,
  type UpdateEventRequest,
} from '@tickets/protocol';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { IsIdParam, IsPlainText } from '../../common/validation';

/** Limits are at most this (an event holds at most TICKET_LIMITS.maxPerEvent tickets anyway). */
const MAX_LIMIT = 1_000_000;

/** An event's limits in a body: each optional; the ticket limits may be null (no limit). */
export class EventLimitsDto implements Partial<EventLimits> {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  holdsPerUser?: number;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  ticketsPerUser?: number | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  ticketsPerReservation?: number | null;
}

export class CreateEventDto implements CreateEventRequest {
  @IsPlainText(1, TEXT_LIMITS.eventName)
  name: string;

  @IsOptional()
  @IsInt()
  @Min(HOLD_TTL_RANGE.min)
  @Max(HOLD_TTL_RANGE.max)
  holdTtlSeconds?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => EventLimitsDto)
  limits?: EventLimitsDto;
}

export class UpdateEventDto implements UpdateEventRequest {
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsInt()
  @Min(HOLD_TTL_RANGE.min)
  @Max(HOLD_TTL_RANGE.max)
  holdTtlSeconds?: number | null;

  @IsOptional()
  @ValidateNested()
  @Type(() => EventLimitsDto)
  limits?: EventLimitsDto;
}

export class EventParams {
  @IsIdParam()
  eventId: number;
}

/** `DELETE /api/events/:eventId?force=true`: needed when the event has active reservations. */
export class DeleteEventQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'])
  force?: 'true' | 'false';
}
