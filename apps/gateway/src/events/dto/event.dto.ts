import { TEXT_LIMITS, type CreateEventRequest } from '@tickets/protocol';
import { IsIn, IsOptional } from 'class-validator';
import { IsIdParam, IsPlainText } from '../../common/validation';

export class CreateEventDto implements CreateEventRequest {
  @IsPlainText(1, TEXT_LIMITS.eventName)
  name: string;
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
