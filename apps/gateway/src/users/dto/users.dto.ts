import type { UpdateUserRequest, UsersQuery } from '@tickets/protocol';
import { IsString, Matches } from 'class-validator';
import { IsIdParam, IsPageLimit, IsPageOffset } from '../../common/validation';

/** Users per page of `GET /api/users`. */
export const USERS_PAGE_MAX_LIMIT = 100;

export class UserParams {
  @IsIdParam()
  id: number;
}

export class UsersQueryDto implements UsersQuery {
  @IsPageOffset()
  offset?: number;

  @IsPageLimit(USERS_PAGE_MAX_LIMIT)
  limit?: number;
}

export class UpdateUserDto implements UpdateUserRequest {
  /** Roles are data (role_permissions); the service checks this one exists. */
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'role must be a role name' })
  role: UpdateUserRequest['role'];
}
