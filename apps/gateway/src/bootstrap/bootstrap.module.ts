import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { TicketsModule } from '../tickets/tickets.module';
import { StartupDatabase } from './startup-database';
import { StartupService } from './startup.service';

/** Migrations and the first start's admin and demo event. */
@Module({
  imports: [AuthModule, EventsModule, TicketsModule],
  providers: [StartupService, StartupDatabase],
  exports: [StartupService],
})
export class BootstrapModule {}
