import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { InventoryModule } from '../inventory/inventory.module';
import { BulkRequestReader } from './bulk-request/bulk-request-reader';
import { TicketEntity } from './ticket.entity';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

/** Tickets: created one by one or in bulk (decoded off the event loop), listed, deleted. */
@Module({
  imports: [TypeOrmModule.forFeature([TicketEntity]), InventoryModule, AuthModule, AuditModule],
  controllers: [TicketsController],
  providers: [TicketsService, BulkRequestReader],
  exports: [TicketsService],
})
export class TicketsModule {}
