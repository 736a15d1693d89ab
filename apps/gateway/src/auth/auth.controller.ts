import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { AuthResponse, UserView } from '@tickets/protocol';
import { CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { LoginDto, RegisterDto } from './dto/auth.dto';
import type { AuthPrincipal } from './token.service';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  register(@Body() body: RegisterDto): Promise<AuthResponse> {
    return this.auth.register(body);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginDto): Promise<AuthResponse> {
    return this.auth.login(body);
  }

  @Get('me')
  me(@CurrentUser() principal: AuthPrincipal): Promise<UserView> {
    return this.auth.me(principal.userId);
  }
}
