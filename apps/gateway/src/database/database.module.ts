import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { MultiStatementPool } from './multi-statement-pool';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { Database } from './database';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => dataSourceOptions(config),
    }),
  ],
  providers: [Database, SqliteCheckpointer, MultiStatementPool],
  exports: [Database, MultiStatementPool],
})
export class DatabaseModule {}
