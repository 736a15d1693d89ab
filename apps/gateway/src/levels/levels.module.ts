import { Module } from '@nestjs/common';
import { AbuseModule } from '../abuse/abuse.module';
import { InventoryModule } from '../inventory/inventory.module';
import { LevelsController } from './levels.controller';
import { LevelsService } from './levels.service';
import { TicketLabels } from './ticket-labels';

/** Levels: pages and combinations, read from the event's clearance index (inventory), with ticket labels. */
@Module({
  imports: [InventoryModule, AbuseModule],
  controllers: [LevelsController],
  providers: [LevelsService, TicketLabels],
  exports: [LevelsService],
})
export class LevelsModule {}
