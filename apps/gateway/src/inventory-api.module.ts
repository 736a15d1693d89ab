import { Module } from '@nestjs/common';
import { StartupService } from './bootstrap/startup.service';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { LevelsController } from './levels/levels.controller';
import { LevelsService } from './levels/levels.service';
import { ReservationsController } from './reservations/reservations.controller';
import { ReservationStore } from './reservations/reservation.store';
import { ReservationsService } from './reservations/reservations.service';
import { TicketsController } from './tickets/tickets.controller';
import { TicketsService } from './tickets/tickets.service';
import { BulkRequestReader } from './tickets/bulk-request/bulk-request-reader';

/** Events, tickets, levels and reservations share one module: they commit to the same inventory. */
@Module({
  controllers: [EventsController, TicketsController, LevelsController, ReservationsController],
  providers: [EventsService, TicketsService, BulkRequestReader, LevelsService, ReservationsService, ReservationStore, StartupService],
  exports: [EventsService, TicketsService, LevelsService, ReservationsService, StartupService],
})
export class InventoryApiModule {}

