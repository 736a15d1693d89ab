import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Permission, type EventView } from '@tickets/protocol';
import { RequirePermissions } from '../auth/auth.decorators';
import { CreateEventDto, DeleteEventQueryDto, EventParams } from './dto/event.dto';
import { EventsService } from './events.service';

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
  create(@Body() body: CreateEventDto): Promise<EventView> {
    return this.events.create(body);
  }

  @Delete(':eventId')
  @HttpCode(204)
  @RequirePermissions(Permission.EVENTS_WRITE)
  remove(@Param() params: EventParams, @Query() query: DeleteEventQueryDto): Promise<void> {
    return this.events.remove(params.eventId, query.force === 'true');
  }
}
