import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ErrorCode, type AuthResponse, type UserView } from '@tickets/protocol';
import { ClientAddress, CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto, RegisterDto } from './dto/auth.dto';
import type { AuthPrincipal } from './sessions.service';
import { ApiErrors } from '../api-docs/api-errors';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiErrors(ErrorCode.CONFLICT, ErrorCode.RATE_LIMITED)
  register(@Body() body: RegisterDto, @ClientAddress() address: string): Promise<AuthResponse> {
    return this.auth.register(body, address);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.RATE_LIMITED)
  login(@Body() body: LoginDto, @ClientAddress() address: string): Promise<AuthResponse> {
    return this.auth.login(body, address);
  }

  @Get('me')
  me(@CurrentUser() principal: AuthPrincipal): Promise<UserView> {
    return this.auth.me(principal.userId);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiErrors(ErrorCode.UNAUTHENTICATED)
  refresh(@CurrentUser() principal: AuthPrincipal): Promise<AuthResponse> {
    return this.auth.refresh(principal);
  }

  @Post('logout')
  @HttpCode(204)
  logout(@CurrentUser() principal: AuthPrincipal): Promise<void> {
    return this.auth.logout(principal);
  }

  @Post('logout-everywhere')
  @HttpCode(204)
  logoutEverywhere(@CurrentUser() principal: AuthPrincipal): Promise<void> {
    return this.auth.logoutEverywhere(principal);
  }

  @Post('password')
  @HttpCode(200)
  @ApiErrors(ErrorCode.RATE_LIMITED)
  changePassword(
    @CurrentUser() principal: AuthPrincipal,
    @Body() body: ChangePasswordDto,
    @ClientAddress() address: string,
  ): Promise<AuthResponse> {
    return this.auth.changePassword(principal, body, address);
  }
}
