import {
  COMBO_PAGE_MAX_LIMIT,
  LEVELS_PAGE_MAX_LIMIT,
  type JoinEventRequest,
  type LeaveEventRequest,
  type LevelComboRequest,
  type LevelsPageRequest,
  type SocketReserveRequest,
} from '@tickets/protocol';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsLevel, MAX_LEVEL } from '../../levels/dto/levels.dto';
import { IsRequestId } from '../../reservations/dto/reservation.dto';

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

  @IsLevel()
  level: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(COMBO_PAGE_MAX_LIMIT)
  limit?: number;
}

export class SocketReserveDto implements SocketReserveRequest {
  @IsInt()
  @Min(1)
  eventId: number;

  @IsLevel()
  level: number;

  @IsRequestId()
  requestId: string;
}
