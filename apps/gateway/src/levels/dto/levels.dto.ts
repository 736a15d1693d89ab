import { IsPageLimit, IsPageOffset } from '../../common/validation';
import { COMBO_PAGE_MAX_LIMIT, LEVELS_PAGE_MAX_LIMIT, type ComboQuery, type LevelsQuery } from '@tickets/protocol';
import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Largest level the API accepts (fits the INT column and the clearance index's ceiling). */
export const MAX_LEVEL = 2 ** 31 - 1;

/** A level: a positive integer no larger than MAX_LEVEL. */
export const IsLevel = () => applyDecorators(IsInt(), Min(1), Max(MAX_LEVEL));

export class LevelsQueryDto implements LevelsQuery {
  @IsPageOffset()
  offset?: number;

  @IsPageLimit(LEVELS_PAGE_MAX_LIMIT)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  min?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  max?: number;
}

export class ComboQueryDto implements ComboQuery {
  @IsPageOffset()
  offset?: number;

  @IsPageLimit(COMBO_PAGE_MAX_LIMIT)
  limit?: number;
}

export class LevelParams {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  eventId: number;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LEVEL)
  level: number;
}
