import { Injectable } from '@nestjs/common';
import { ErrorCode, type UserPage, type UserView } from '@tickets/protocol';
import { AuditLog } from '../audit/audit-log';
import { toUserView } from '../auth/auth.service';
import { PermissionsService } from '../auth/permissions.service';
import type { AuthPrincipal } from '../auth/sessions.service';
import { SessionsService } from '../auth/sessions.service';
import { UserEntity } from '../auth/user.entity';
import { AppError, notFound } from '../common/app-error';
import { Database } from '../database/database';
import { UpdateUserDto, UsersQueryDto } from './dto/users.dto';

/** Users as admins manage them: a page of them, and their roles. */
@Injectable()
export class UsersService {
  constructor(
    private readonly database: Database,
    private readonly permissions: PermissionsService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
  ) {}

  async page(query: UsersQueryDto): Promise<UserPage> {
    const offset = query.offset ?? 0;
    const [rows, total] = await this.database.read((manager) =>
      manager.findAndCount(UserEntity, { order: { id: 'ASC' }, skip: offset, take: query.limit ?? 50 }),
    );
    return { total, offset, rows: rows.map(toUserView) };
  }

  /**
   * Gives the user another role; it takes effect at their next request or socket message on every
   * replica (SessionsService announces the change). Admins cannot change their own role, so the
   * last one cannot lock everybody out by mistake.
   */
  async update(principal: AuthPrincipal, userId: number, request: UpdateUserDto): Promise<UserView> {
    if (userId === principal.userId)
      throw new AppError(ErrorCode.CONFLICT, 'You cannot change your own role');
    if (!(await this.permissions.roleExists(request.role)))
      throw new AppError(ErrorCode.VALIDATION_FAILED, `There is no role ${request.role}`);
    const user = await this.database.transaction(async (manager) => {
      const found = await manager.findOneBy(UserEntity, { id: userId });
      if (!found) throw notFound('User');
      const before = found.role;
      found.role = request.role;
      const saved = await manager.save(found);
      await this.audit.record(manager, {
        actorId: principal.userId,
        action: 'user.role-changed',
        subjectUserId: userId,
        details: { before, after: request.role },
      });
      return saved;
    });
    await this.sessions.userChanged(userId);
    return toUserView(user);
  }
}
