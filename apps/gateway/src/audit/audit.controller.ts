import { Controller, Get, Query } from '@nestjs/common';
import { Permission, type AuditPage } from '@tickets/protocol';
import { RequirePermissions } from '../auth/auth.decorators';
import { AuditLog } from './audit-log';
import { AuditQueryDto } from './dto/audit.dto';

@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @RequirePermissions(Permission.AUDIT_READ)
  page(@Query() query: AuditQueryDto): Promise<AuditPage> {
    return this.audit.page(query);
  }
}
