import { Controller, Get } from '@nestjs/common';
import { Permission, type EventAudience } from '@tickets/protocol';
import { RequirePermissions } from '../auth/auth.decorators';
import { Audience } from './audience';

@Controller('audience')
export class AudienceController {
  constructor(private readonly audience: Audience) {}

  @Get()
  @RequirePermissions(Permission.EVENTS_WRITE)
  everywhere(): Promise<EventAudience[]> {
    return this.audience.everywhere();
  }
}
