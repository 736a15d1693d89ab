import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Permission } from '@tickets/protocol';
import type { Request } from 'express';
import type { AuthPrincipal } from './sessions.service';

export const PUBLIC_KEY = 'auth:public';
export const PERMISSIONS_KEY = 'auth:permissions';

/** The route needs no access token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** The caller's role must grant every listed permission (REST routes and socket messages alike). */
export const RequirePermissions = (...permissions: Permission[]): MethodDecorator & ClassDecorator =>
  SetMetadata(PERMISSIONS_KEY, permissions);

/** The authenticated caller, set on the request by AuthGuard. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthPrincipal =>
    context.switchToHttp().getRequest<{ principal: AuthPrincipal }>().principal,
);

/** The caller's address (the peer's, or X-Forwarded-For's as far as TRUST_PROXY allows). */
export const ClientAddress = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<Request>().ip ?? 'unknown',
);
