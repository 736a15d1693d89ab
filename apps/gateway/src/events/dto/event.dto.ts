import type { CreateEventRequest } from '@tickets/protocol';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';

export class CreateEventDto implements CreateEventRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
}

export class EventParams {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  eventId: number;
}

/** `DELETE /api/events/:eventId?force=true`: needed when the event has active reservations. */
export class DeleteEventQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'])
  force?: 'true' | 'false';
}
