import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbuseModule } from '../abuse/abuse.module';
import { AuthController } from './auth.controller';
import { AuthGuard, PermissionsGuard } from './auth.guards';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { PermissionsService } from './permissions.service';
import { RolePermissionEntity } from './role-permission.entity';
import { SessionsService } from './sessions.service';
import { SocketSessions } from './socket-sessions';
import { TokenService } from './token.service';
import { UserEntity } from './user.entity';

/**
 * Who calls: accounts, tokens, sessions (REST and socket), permissions. Its guards are global: every
 * route needs a session unless @Public(), and @RequirePermissions is checked everywhere.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, RolePermissionEntity]), AbuseModule, AuditModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordHasher,
    TokenService,
    PermissionsService,
    SessionsService,
    SocketSessions,
    // Order matters: authenticate first, then check permissions.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: PermissionsGuard },
  ],
  exports: [AuthService, TokenService, PermissionsService, SessionsService, SocketSessions],
})
export class AuthModule {}
