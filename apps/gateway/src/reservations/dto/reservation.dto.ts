import { applyDecorators } from '@nestjs/common';
import type { ReserveRequest } from '@tickets/protocol';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { IsLevel } from '../../levels/dto/levels.dto';

/** A client-chosen idempotency key: 1–64 characters of letters, digits, _ . : - */
export const IsRequestId = () =>
  applyDecorators(
    IsString(),
    MinLength(1),
    MaxLength(64),
    Matches(/^[\w.:-]+$/, { message: 'requestId may contain letters, digits, _ . : - only' }),
  );

export class ReserveDto implements ReserveRequest {
  @IsLevel()
  level: number;

  @IsRequestId()
  requestId: string;
}

export class ReservationParams {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id: number;
}
