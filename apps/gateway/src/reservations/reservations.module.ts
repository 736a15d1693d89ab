import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbuseModule } from '../abuse/abuse.module';
import { AuthModule } from '../auth/auth.module';
import { EventContents } from '../events/event-contents';
import { InventoryModule } from '../inventory/inventory.module';
import { EventReservations } from './event-reservations';
import { ReservationTicketEntity } from './reservation-ticket.entity';
import { ReservationEntity } from './reservation.entity';
import { ReservationStore } from './reservation.store';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';

/** Reservations: where a reservation is decided (ReservationsService) and committed (ReservationStore). */
@Module({
  imports: [TypeOrmModule.forFeature([ReservationEntity, ReservationTicketEntity]), InventoryModule, AbuseModule, AuthModule],
  controllers: [ReservationsController],
  providers: [ReservationsService, ReservationStore, { provide: EventContents, useClass: EventReservations }],
  exports: [ReservationsService, EventContents],
})
export class ReservationsModule {}
