import type { CreateEventRequest } from '@tickets/protocol';
import { Type } from 'class-transformer';
import { IsInt, IsString, MaxLength, Min, MinLength } from 'class-validator';

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
