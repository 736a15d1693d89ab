import { Injectable } from '@nestjs/common';
import { AuthResponse, ErrorCode, Role, UserView } from '@tickets/protocol';
import { AbuseLimits } from '../abuse/abuse-limits';
import { AuditLog } from '../audit/audit-log';
import { AppError, notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { Database } from '../database/database';
import { isUniqueViolation } from '../database/driver-errors';
import { ChangePasswordDto, LoginDto, RegisterDto } from './dto/auth.dto';
import { PasswordHasher } from './password-hasher';
import { SessionsService, type AuthPrincipal } from './sessions.service';
import { TokenService } from './token.service';
import { UserEntity } from './user.entity';

export function toUserView(user: UserEntity): UserView {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role as Role };
}

const WRONG_CREDENTIALS = 'Wrong email or password';

@Injectable()
export class AuthService {
  constructor(
    private readonly database: Database,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly abuse: AbuseLimits,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** A new attendee, signed in; at most REGISTER_RATE_LIMIT per address. */
  async register(request: RegisterDto, address: string): Promise<AuthResponse> {
    await this.abuse.register(address);
    const user = await this.createUser(request.email, request.password, request.displayName, 'attendee');
    return this.issue(user);
  }

  /**
   * Signs in. An unknown email costs the same work as a wrong password, so timing does not tell
   * whether an account exists; failures count against the address and the account (AbuseLimits).
   * A hash made with weaker parameters than configured now is replaced.
   */
  async login(request: LoginDto, address: string): Promise<AuthResponse> {
    await this.abuse.beforeLogin(address, request.email);
    const user = await this.findByEmail(request.email);
    if (!user) {
      await this.hasher.verifyNobody(request.password);
      await this.abuse.loginFailed(address, request.email);
      throw new AppError(ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS);
    }
    const verification = await this.hasher.verify(request.password, user.passwordHash);
    if (!verification.ok) {
      await this.abuse.loginFailed(address, request.email);
      throw new AppError(ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS);
    }
    await this.abuse.loginSucceeded(request.email);
    if (verification.needsRehash) await this.rehash(user, request.password);
    await this.audit.recordAlone({ actorId: user.id, action: 'user.signed-in', details: { address } });
    return this.issue(user);
  }

  async me(userId: number): Promise<UserView> {
    const user = await this.database.read((manager) => manager.findOneBy(UserEntity, { id: userId }));
    if (!user) throw notFound('User');
    return toUserView(user);
  }

  /**
   * A fresh token for the user as the database knows them now, in exchange for this one, whose
   * session ends on every replica: its sockets are told (`session:ended`) and reconnect with the
   * new token. Lets an active user stay signed in past one token's lifetime without the password.
   */
  async refresh(principal: AuthPrincipal): Promise<AuthResponse> {
    const user = await this.database.read((manager) =>
      manager.findOneBy(UserEntity, { id: principal.userId }),
    );
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This account no longer exists');
    const renewed = this.issue(user);
    await this.sessions.revoke(principal);
    return renewed;
  }

  /** Ends this token's session, on every replica (its sockets are disconnected). */
  logout(principal: AuthPrincipal): Promise<void> {
    return this.sessions.revoke(principal);
  }

  /** Ends every session of the user, everywhere: tokens name a token version, and this bumps it. */
  async logoutEverywhere(principal: AuthPrincipal): Promise<void> {
    await this.database.transaction((manager) =>
      manager.increment(UserEntity, { id: principal.userId }, 'tokenVersion', 1),
    );
    await this.sessions.userChanged(principal.userId);
  }

  /**
   * A new password ends every session of the user (a thief's too) and answers a fresh token for
   * this one. A wrong current password counts as a failed sign-in.
   */
  async changePassword(
    principal: AuthPrincipal,
    request: ChangePasswordDto,
    address: string,
  ): Promise<AuthResponse> {
    const user = await this.database.read((manager) =>
      manager.findOneBy(UserEntity, { id: principal.userId }),
    );
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This account no longer exists');
    await this.abuse.beforeLogin(address, user.email);
    if (!(await this.hasher.verify(request.currentPassword, user.passwordHash)).ok) {
      await this.abuse.loginFailed(address, user.email);
      throw new AppError(ErrorCode.FORBIDDEN, 'The current password is wrong');
    }
    const passwordHash = await this.hasher.hash(request.newPassword);
    await this.database.transaction((manager) =>
      manager.update(UserEntity, { id: user.id }, { passwordHash, tokenVersion: () => 'token_version + 1' }),
    );
    await this.sessions.userChanged(user.id);
    const updated = await this.database.read((manager) =>
      manager.findOneByOrFail(UserEntity, { id: user.id }),
    );
    return this.issue(updated);
  }

  /** Creates a user; CONFLICT when the email is taken. */
  async createUser(email: string, password: string, displayName: string, role: string): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.database.transaction((manager) =>
        manager.save(
          manager.create(UserEntity, {
            email,
            passwordHash,
            displayName,
            role,
            tokenVersion: 0,
            createdAt: this.clock.now(),
          }),
        ),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError(ErrorCode.CONFLICT, 'Email already registered');
      throw error;
    }
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.database.read((manager) =>
      manager.findOneBy(UserEntity, { email: email.trim().toLowerCase() }),
    );
  }

  /** Stores a hash with today's parameters, unless the password changed meanwhile. */
  private async rehash(user: UserEntity, password: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    await this.database.transaction((manager) =>
      manager.update(UserEntity, { id: user.id, passwordHash: user.passwordHash }, { passwordHash }),
    );
  }

  private issue(user: UserEntity): AuthResponse {
    return { accessToken: this.tokens.sign(user).token, user: toUserView(user) };
  }
}
