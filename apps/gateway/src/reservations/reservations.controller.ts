import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
  ErrorCode,
  Permission,
  type AuditEntry,
  type EventLimitsView,
  type ReservationDetail,
  type ReservationPage,
  type ReservationView,
} from '@tickets/protocol';
import { CurrentUser, RequirePermissions } from '../auth/auth.decorators';
import type { AuthPrincipal } from '../auth/sessions.service';
import { EventParams } from '../events/dto/event.dto';
import {
  ReservationParams,
  ReservationsQueryDto,
  ReservationTicketsQueryDto,
  ReserveDto,
} from './dto/reservation.dto';
import { ReservationMetrics } from '../observability/reservation-metrics';
import { ReservationsService } from './reservations.service';
import { ApiErrors } from '../api-docs/api-errors';

@Controller()
export class ReservationsController {
  constructor(private readonly reservations: ReservationsService) {}

  @Post('events/:eventId/reservations')
  @RequirePermissions(Permission.LEVELS_RESERVE)
  @UseInterceptors(ReservationMetrics)
  @ApiErrors(ErrorCode.LEVEL_UNAVAILABLE, ErrorCode.LIMIT_REACHED, ErrorCode.CONFLICT, ErrorCode.RATE_LIMITED)
  reserve(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: EventParams,
    @Body() body: ReserveDto,
  ): Promise<ReservationView> {
    return this.reservations.reserve(user.userId, params.eventId, body);
  }

  @Get('events/:eventId/reservations')
  @RequirePermissions(Permission.RESERVATIONS_MANAGE)
  ofEvent(@Param() params: EventParams, @Query() query: ReservationsQueryDto): Promise<ReservationPage> {
    return this.reservations.ofEvent(params.eventId, query);
  }

  @Get('reservations/mine')
  mine(@CurrentUser() user: AuthPrincipal): Promise<ReservationView[]> {
    return this.reservations.mine(user.userId);
  }

  @Get('reservations/:id')
  detail(
    @CurrentUser() user: AuthPrincipal,
    @Param() params: ReservationParams,
    @Query() query: ReservationTicketsQueryDto,
  ): Promise<ReservationDetail> {
    return this.reservations.detail(user, params.id, query);
  }

  @Post('reservations/:id/confirm')
  @HttpCode(200)
  @ApiErrors(ErrorCode.HOLD_EXPIRED, ErrorCode.CONFLICT)
  confirm(@CurrentUser() user: AuthPrincipal, @Param() params: ReservationParams): Promise<ReservationView> {
    return this.reservations.confirm(user, params.id);
  }

  @Get('reservations/:id/history')
  history(@CurrentUser() user: AuthPrincipal, @Param() params: ReservationParams): Promise<AuditEntry[]> {
    return this.reservations.history(user, params.id);
  }

  @Get('events/:eventId/limits')
  limits(@CurrentUser() user: AuthPrincipal, @Param() params: EventParams): Promise<EventLimitsView> {
    return this.reservations.limitsOf(user.userId, params.eventId);
  }

  @Delete('reservations/:id')
  @ApiErrors(ErrorCode.CONFLICT)
  cancel(@CurrentUser() user: AuthPrincipal, @Param() params: ReservationParams): Promise<ReservationView> {
    return this.reservations.cancel(user, params.id);
  }
}
