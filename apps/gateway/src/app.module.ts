import { DynamicModule, Module } from '@nestjs/common';
import { AbuseModule } from './abuse/abuse.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { InventoryApiModule } from './inventory-api.module';
import { InventoryModule } from './inventory/inventory.module';
import { RealtimeModule } from './realtime/realtime.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        AbuseModule,
        DatabaseModule,
        InventoryModule,
        AuthModule,
        InventoryApiModule,
        HealthModule,
        RealtimeModule,
        UsersModule,
      ],
    };
  }
}
