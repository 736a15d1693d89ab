import { LongRequest } from '../common/request-deadline';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ErrorCode,
  Permission,
  type BulkCreateTicketsResponse,
  type TicketPage,
  type TicketView,
} from '@tickets/protocol';
import { CurrentUser, RequirePermissions } from '../auth/auth.decorators';
import type { AuthPrincipal } from '../auth/sessions.service';
import { EventParams } from '../events/dto/event.dto';
import { CreateTicketDto, TicketParams, TicketsQuery } from './dto/ticket.dto';
import { TicketsService } from './tickets.service';
import { ApiErrors } from '../api-docs/api-errors';

@Controller('events/:eventId/tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Get()
  list(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: EventParams,
    @Query() query: TicketsQuery,
  ): Promise<TicketPage> {
    return this.tickets.list(user, params.eventId, query);
  }

  @Post()
  @RequirePermissions(Permission.TICKETS_WRITE)
  create(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: EventParams,
    @Body() body: CreateTicketDto,
  ): Promise<TicketView> {
    return this.tickets.create(user.userId, params.eventId, body);
  }

  /** The body arrives raw (see configureApp) and is decoded off the event loop: `BulkCreateTicketsRequest`. */
  @Post('bulk')
  @LongRequest()
  @RequirePermissions(Permission.TICKETS_WRITE)
  bulkCreate(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: EventParams,
    @Body() body: Buffer,
  ): Promise<BulkCreateTicketsResponse> {
    return this.tickets.bulkCreate(user.userId, params.eventId, body);
  }

  @Delete(':ticketId')
  @HttpCode(204)
  @RequirePermissions(Permission.TICKETS_WRITE)
  @ApiErrors(ErrorCode.CONFLICT)
  remove(@CurrentUser() user: AuthPrincipal, @Param() params: TicketParams): Promise<void> {
    return this.tickets.remove(user.userId, params.eventId, params.ticketId);
  }
}
