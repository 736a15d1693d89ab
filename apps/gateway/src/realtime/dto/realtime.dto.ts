import {
  COMBO_PAGE_MAX_LIMIT,
  LEVELS_PAGE_MAX_LIMIT,
  type ConfirmReservationRequest,
  type JoinEventRequest,
  type LeaveEventRequest,
  type LevelComboRequest,
  type LevelsPageRequest,
  type SocketReserveRequest,
} from '@tickets/protocol';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsId, IsOffset, MAX_OFFSET } from '../../common/validation';
import { IsLevel, MAX_LEVEL } from '../../levels/dto/levels.dto';
import { IsRequestId } from '../../reservations/dto/reservation.dto';

export class JoinEventDto implements JoinEventRequest {
  @IsId()
  eventId: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  version?: number;
}

export class LeaveEventDto implements LeaveEventRequest {
  @IsId()
  eventId: number;
}

export class LevelsPageDto implements LevelsPageRequest {
  @IsId()
  eventId: number;

  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
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

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  fromLevel?: number;
}

export class LevelComboDto implements LevelComboRequest {
  @IsId()
  eventId: number;

  @IsLevel()
  level: number;

  @IsOffset()
  offset?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(COMBO_PAGE_MAX_LIMIT)
  limit?: number;
}

export class SocketReserveDto implements SocketReserveRequest {
  @IsId()
  eventId: number;

  @IsLevel()
  level: number;

  @IsRequestId()
  requestId: string;
}

export class ConfirmReservationDto implements ConfirmReservationRequest {
  @IsId()
  reservationId: number;
}

/** `lobby:join` / `lobby:leave` take an empty object. */
export class LobbyDto {}
