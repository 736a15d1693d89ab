import {
  COMBO_PAGE_MAX_LIMIT,
  LEVELS_PAGE_MAX_LIMIT,
  type ComboQuery,
  type LevelsQuery,
} from '@tickets/protocol';
import { applyDecorators } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DecimalInteger, IsIdParam, IsPageLimit, IsPageOffset } from '../../common/validation';

/** Largest level the API accepts (fits the INT column and the clearance index's ceiling). */
export const MAX_LEVEL = 2 ** 31 - 1;

/** A level in a body or socket payload: a positive integer no larger than MAX_LEVEL. */
export const IsLevel = () => applyDecorators(IsInt(), Min(1), Max(MAX_LEVEL));

/** A level in the path or query string (decimal only). */
export const IsLevelParam = () => applyDecorators(DecimalInteger(), IsLevel());

export class LevelsQueryDto implements LevelsQuery {
  @IsPageOffset()
  offset?: number;

  @IsPageLimit(LEVELS_PAGE_MAX_LIMIT)
  limit?: number;

  @IsOptional()
  @IsLevelParam()
  min?: number;

  @IsOptional()
  @IsLevelParam()
  max?: number;

  @IsOptional()
  @IsLevelParam()
  fromLevel?: number;
}

export class ComboQueryDto implements ComboQuery {
  @IsPageOffset()
  offset?: number;

  @IsPageLimit(COMBO_PAGE_MAX_LIMIT)
  limit?: number;
}

export class LevelParams {
  @IsIdParam()
  eventId: number;

  @IsLevelParam()
  level: number;
}
