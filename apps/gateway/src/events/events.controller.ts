import { LongRequest } from '../common/request-deadline';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ErrorCode, Permission, type EventView } from '@tickets/protocol';
import { CurrentUser, RequirePermissions } from '../auth/auth.decorators';
import type { AuthPrincipal } from '../auth/sessions.service';
import { CreateEventDto, DeleteEventQueryDto, EventParams, UpdateEventDto } from './dto/event.dto';
import { EventsService } from './events.service';
import { ApiErrors } from '../api-docs/api-errors';

@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  list(): Promise<EventView[]> {
    return this.events.list();
  }

  @Get(':eventId')
  get(@Param() params: EventParams): Promise<EventView> {
    return this.events.get(params.eventId);
  }

  @Post()
  @RequirePermissions(Permission.EVENTS_WRITE)
  create(@CurrentUser() user: AuthPrincipal, @Body() body: CreateEventDto): Promise<EventView> {
    return this.events.create(user.userId, body);
  }

  @Patch(':eventId')
  @RequirePermissions(Permission.EVENTS_WRITE)
  update(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: EventParams,
    @Body() body: UpdateEventDto,
  ): Promise<EventView> {
    return this.events.update(user.userId, params.eventId, body);
  }

  @Delete(':eventId')
  @LongRequest()
  @HttpCode(204)
  @RequirePermissions(Permission.EVENTS_WRITE)
  @ApiErrors(ErrorCode.CONFLICT)
  remove(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: EventParams,
    @Query() query: DeleteEventQueryDto,
  ): Promise<void> {
    return this.events.remove(user.userId, params.eventId, query.force === 'true');
  }
}
