import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { Permission, type ReservationView } from '@tickets/protocol';
import { CurrentUser, RequirePermissions } from '../auth/auth.decorators';
import type { AuthPrincipal } from '../auth/token.service';
import { EventParams } from '../events/dto/event.dto';
import { ReservationParams, ReserveDto } from './dto/reservation.dto';
import { ReservationsService } from './reservations.service';

@Controller()
export class ReservationsController {
  constructor(private readonly reservations: ReservationsService) {}

  @Post('events/:eventId/reservations')
  @RequirePermissions(Permission.LEVELS_RESERVE)
  reserve(@CurrentUser() user: AuthPrincipal, @Param() params: EventParams, @Body() body: ReserveDto): Promise<ReservationView> {
    return this.reservations.reserve(user.userId, params.eventId, body);
  }

  @Get('events/:eventId/reservations')
  @RequirePermissions(Permission.RESERVATIONS_MANAGE)
  ofEvent(@Param() params: EventParams): Promise<ReservationView[]> {
    return this.reservations.ofEvent(params.eventId);
  }

  @Get('reservations/mine')
  mine(@CurrentUser() user: AuthPrincipal): Promise<ReservationView[]> {
    return this.reservations.mine(user.userId);
  }

  @Delete('reservations/:id')
  cancel(@CurrentUser() user: AuthPrincipal, @Param() params: ReservationParams): Promise<ReservationView> {
    return this.reservations.cancel(user, params.id);
  }
}
