import { Controller, Get, Param, Query } from '@nestjs/common';
import { ErrorCode, type LevelCombo, type LevelPage } from '@tickets/protocol';
import { CurrentUser } from '../auth/auth.decorators';
import type { AuthPrincipal } from '../auth/sessions.service';
import { EventParams } from '../events/dto/event.dto';
import { ComboQueryDto, LevelParams, LevelsQueryDto } from './dto/levels.dto';
import { LevelsService } from './levels.service';
import { ApiErrors } from '../api-docs/api-errors';

@Controller('events/:eventId/levels')
export class LevelsController {
  constructor(private readonly levels: LevelsService) {}

  @Get()
  @ApiErrors(ErrorCode.RATE_LIMITED)
  page(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: EventParams,
    @Query() query: LevelsQueryDto,
  ): Promise<LevelPage> {
    return this.levels.page(user.userId, params.eventId, query);
  }

  @Get(':level')
  @ApiErrors(ErrorCode.RATE_LIMITED)
  combo(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: LevelParams,
    @Query() query: ComboQueryDto,
  ): Promise<LevelCombo> {
    return this.levels.combo(user.userId, params.eventId, params.level, query);
  }
}
