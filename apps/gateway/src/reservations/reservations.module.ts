import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbuseModule } from '../abuse/abuse.module';
import { AuthModule } from '../auth/auth.module';
import { EventContents } from '../events/event-contents';
import { InventoryModule } from '../inventory/inventory.module';
import { EventReservations } from './event-reservations';
import { HoldSweeper } from './hold-sweeper';
import { ReservationTicketEntity } from './reservation-ticket.entity';
import { ReservationEntity } from './reservation.entity';
import { ReservationStore } from './reservation.store';
import { ReservationsController } from './reservations.controller';
import { ReservationsService } from './reservations.service';

/**
 * Reservations: where a reservation is decided (ReservationsService) and committed
 * (ReservationStore), confirmed or cancelled, and where holds that ran out expire (HoldSweeper).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ReservationEntity, ReservationTicketEntity]),
    InventoryModule,
    AbuseModule,
    AuthModule,
    AuditModule,
  ],
  controllers: [ReservationsController],
  providers: [
    ReservationsService,
    ReservationStore,
    HoldSweeper,
    { provide: EventContents, useClass: EventReservations },
  ],
  exports: [ReservationsService, EventContents],
})
export class ReservationsModule {}
