import { DynamicModule, Module } from '@nestjs/common';
import { AbuseModule } from './abuse/abuse.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { CommonModule } from './common/common.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { InventoryModule } from './inventory/inventory.module';
import { LevelsModule } from './levels/levels.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { ObservabilityModule } from './observability/observability.module';
import { RealtimeModule } from './realtime/realtime.module';
import { ReservationsModule } from './reservations/reservations.module';
import { TicketsModule } from './tickets/tickets.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(config),
        CommonModule,
        AbuseModule,
        DatabaseModule,
        InventoryModule,
        AuthModule,
        EventsModule,
        TicketsModule,
        LevelsModule,
        ReservationsModule,
        BootstrapModule,
        HealthModule,
        RealtimeModule,
        UsersModule,
        AuditModule,
        LifecycleModule,
      ],
    };
  }
}
