import { IsPageLimit, IsPageOffset } from '../../common/validation';
import { TICKET_LIMITS, type CreateTicketRequest, type TicketStatus } from '@tickets/protocol';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { LABEL_PATTERN } from '../bulk-request/bulk-request';

export class CreateTicketDto implements CreateTicketRequest {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(TICKET_LIMITS.maxLabelLength)
  @Matches(LABEL_PATTERN, { message: 'label may not contain control or bidi-override characters' })
  label?: string;

  @IsInt()
  @Min(1)
  @Max(TICKET_LIMITS.maxValue)
  value: number;
}

export class TicketParams {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  eventId: number;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  ticketId: number;
}

export class TicketsQuery {
  @IsOptional()
  @IsIn(['available', 'reserved'])
  status?: TicketStatus;

  @IsPageOffset()
  offset?: number;

  @IsPageLimit(1000)
  limit?: number;
}
