import type { ReserveRequest } from '@tickets/protocol';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_LEVEL } from '../../levels/dto/levels.dto';

export class ReserveDto implements ReserveRequest {
  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  level: number;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Matches(/^[\w.:-]+$/, { message: 'requestId may contain letters, digits, _ . : - only' })
  requestId: string;
}

export class ReservationParams {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id: number;
}
