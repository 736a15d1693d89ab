import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '@tickets/protocol';
import type { Request } from 'express';
import { AppError } from '../common/app-error';
import { PERMISSIONS_KEY, PUBLIC_KEY } from './auth.decorators';
import { PermissionsService } from './permissions.service';
import { SessionsService, type AuthPrincipal } from './sessions.service';
import { SocketSessions, type SessionSocket } from './socket-sessions';

type AuthedRequest = Request & { principal?: AuthPrincipal };

/**
 * Global: every HTTP route needs a bearer token whose session is still on (see SessionsService)
 * unless marked @Public(); every socket message re-checks its socket's session the same way.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly socketSessions: SocketSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() === 'ws') {
      const socket = context.switchToWs().getClient<SessionSocket>();
      socket.data.principal = await this.socketSessions.current(socket);
      return true;
    }
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    request.principal = await this.sessions.resolve(token);
    return true;
  }
}

/** Global: routes and socket messages with @RequirePermissions(...) need a role granting all of them. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly permissions: PermissionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<string[]>(PERMISSIONS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required || required.length === 0) return true;
    const principal =
      context.getType() === 'ws'
        ? context.switchToWs().getClient<SessionSocket>().data.principal
        : context.switchToHttp().getRequest<AuthedRequest>().principal;
    if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Missing access token');
    const granted = await this.permissions.permissionsOf(principal.role);
    const missing = required.filter((permission) => !granted.has(permission));
    if (missing.length > 0)
      throw new AppError(ErrorCode.FORBIDDEN, `Missing permission ${missing.join(', ')}`);
    return true;
  }
}
