import { TICKET_LIMITS, type CreateTicketRequest, type TicketStatus } from '@tickets/protocol';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsIdParam, IsPageLimit, IsPageOffset, IsPlainText } from '../../common/validation';

export class CreateTicketDto implements CreateTicketRequest {
  @IsOptional()
  @IsPlainText(1, TICKET_LIMITS.maxLabelLength)
  label?: string;

  @IsInt()
  @Min(1)
  @Max(TICKET_LIMITS.maxValue)
  value: number;
}

export class TicketParams {
  @IsIdParam()
  eventId: number;

  @IsIdParam()
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
