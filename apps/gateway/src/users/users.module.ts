import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users as admins manage them (roles). */
@Module({ imports: [AuthModule, AuditModule], controllers: [UsersController], providers: [UsersService] })
export class UsersModule {}
