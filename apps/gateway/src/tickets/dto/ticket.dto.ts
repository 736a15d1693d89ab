import { IsPageLimit, IsPageOffset } from '../../common/validation';
import type { CreateTicketRequest, TicketStatus } from '@tickets/protocol';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';

/** Largest ticket value; keeps an event's total well inside the clearance index's ceiling. */
export const MAX_TICKET_VALUE = 1_000_000;
export const MAX_TICKETS_PER_CALL = 100_000;

export class CreateTicketDto implements CreateTicketRequest {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;

  @IsInt()
  @Min(1)
  @Max(MAX_TICKET_VALUE)
  value: number;
}

/** Either `tickets`, or `count` + `minValue` + `maxValue` for a random batch. */
export class BulkCreateTicketsDto {
  @ValidateIf((o: BulkCreateTicketsDto) => o.count === undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TICKETS_PER_CALL)
  @ValidateNested({ each: true })
  @Type(() => CreateTicketDto)
  tickets?: CreateTicketDto[];

  @ValidateIf((o: BulkCreateTicketsDto) => o.tickets === undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_TICKETS_PER_CALL)
  count?: number;

  @ValidateIf((o: BulkCreateTicketsDto) => o.tickets === undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_TICKET_VALUE)
  minValue?: number;

  @ValidateIf((o: BulkCreateTicketsDto) => o.tickets === undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_TICKET_VALUE)
  maxValue?: number;
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
