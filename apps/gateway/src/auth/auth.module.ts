import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard, PermissionsGuard } from './auth.guards';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { PermissionsService } from './permissions.service';
import { SessionsService } from './sessions.service';
import { SocketSessions } from './socket-sessions';
import { TokenService } from './token.service';

@Global()
@Module({
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
