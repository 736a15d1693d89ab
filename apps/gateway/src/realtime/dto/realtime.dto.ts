import {
  LEVELS_PAGE_MAX_LIMIT,
  type JoinEventRequest,
  type LeaveEventRequest,
  type LevelComboRequest,
  type LevelsPageRequest,
  type SocketReserveRequest,
} from '@tickets/protocol';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_LEVEL } from '../../levels/dto/levels.dto';

export class JoinEventDto implements JoinEventRequest {
  @IsInt()
  @Min(1)
  eventId: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  version?: number;
}

export class LeaveEventDto implements LeaveEventRequest {
  @IsInt()
  @Min(1)
  eventId: number;
}

export class LevelsPageDto implements LevelsPageRequest {
  @IsInt()
  @Min(1)
  eventId: number;

  @IsInt()
  @Min(0)
  offset: number;

  @IsInt()
  @Min(1)
  @Max(LEVELS_PAGE_MAX_LIMIT)
  limit: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  min?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  max?: number;
}

export class LevelComboDto implements LevelComboRequest {
  @IsInt()
  @Min(1)
  eventId: number;

  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  level: number;
}

export class SocketReserveDto implements SocketReserveRequest {
  @IsInt()
  @Min(1)
  eventId: number;

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
