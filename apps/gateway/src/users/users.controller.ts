import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ErrorCode, Permission, type UserPage, type UserView } from '@tickets/protocol';
import { CurrentUser, RequirePermissions } from '../auth/auth.decorators';
import type { AuthPrincipal } from '../auth/sessions.service';
import { UpdateUserDto, UserParams, UsersQueryDto } from './dto/users.dto';
import { UsersService } from './users.service';
import { ApiErrors } from '../api-docs/api-errors';

@Controller('users')
@RequirePermissions(Permission.USERS_MANAGE)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  page(@Query() query: UsersQueryDto): Promise<UserPage> {
    return this.users.page(query);
  }

  @Patch(':id')
  @ApiErrors(ErrorCode.CONFLICT)
  update(
    @CurrentUser() principal: AuthPrincipal,
    @Param() params: UserParams,
    @Body() body: UpdateUserDto,
  ): Promise<UserView> {
    return this.users.update(principal, params.id, body);
  }
}
