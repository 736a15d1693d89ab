import { Injectable } from '@nestjs/common';
import { AuthResponse, ErrorCode, Role, UserView } from '@tickets/protocol';
import { AppError, notFound } from '../common/app-error';
import { Clock } from '../common/clock';
import { isUniqueViolation, UnitOfWork } from '../database/unit-of-work';
import { LoginDto, RegisterDto } from './dto/auth.dto';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { UserEntity } from './user.entity';

export function toUserView(user: UserEntity): UserView {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role as Role };
}

@Injectable()
export class AuthService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  async register(request: RegisterDto): Promise<AuthResponse> {
    const user = await this.createUser(request.email, request.password, request.displayName, 'attendee');
    return this.issue(user);
  }

  async login(request: LoginDto): Promise<AuthResponse> {
    const user = await this.unitOfWork.read((manager) => manager.findOneBy(UserEntity, { email: request.email }));
    if (!user || !(await this.hasher.verify(request.password, user.passwordHash))) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Wrong email or password');
    }
    return this.issue(user);
  }

  async me(userId: number): Promise<UserView> {
    const user = await this.unitOfWork.read((manager) => manager.findOneBy(UserEntity, { id: userId }));
    if (!user) throw notFound('User');
    return toUserView(user);
  }

  /** Creates a user; CONFLICT when the email is taken. */
  async createUser(email: string, password: string, displayName: string, role: string): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.unitOfWork.run((manager) =>
        manager.save(manager.create(UserEntity, { email, passwordHash, displayName, role, createdAt: this.clock.now() })),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError(ErrorCode.CONFLICT, 'Email already registered');
      throw error;
    }
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.unitOfWork.read((manager) => manager.findOneBy(UserEntity, { email: email.toLowerCase() }));
  }

  private issue(user: UserEntity): AuthResponse {
    return { accessToken: this.tokens.sign({ userId: user.id, role: user.role }), user: toUserView(user) };
  }
}
