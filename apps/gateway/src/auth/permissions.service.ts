import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { RolePermissionEntity } from './role-permission.entity';

const CACHE_MS = 10_000;

/** Which permissions a role grants, read from role_permissions (roles are data) and cached briefly. */
@Injectable()
export class PermissionsService {
  private cache: { loadedAt: number; byRole: Map<string, Set<string>> } | null = null;

  constructor(
    @InjectRepository(RolePermissionEntity) private readonly grants: Repository<RolePermissionEntity>,
    private readonly clock: Clock,
  ) {}

  async permissionsOf(role: string): Promise<ReadonlySet<string>> {
    const age = this.cache ? this.clock.nowMs() - this.cache.loadedAt : Infinity;
    // Reload when stale, or when a role shows up that the cache has not seen (a role just granted).
    if (age > CACHE_MS || !this.cache?.byRole.has(role)) {
      const byRole = new Map<string, Set<string>>();
      for (const grant of await this.grants.find()) {
        const set = byRole.get(grant.role) ?? new Set<string>();
        set.add(grant.permission);
        byRole.set(grant.role, set);
      }
      this.cache = { loadedAt: this.clock.nowMs(), byRole };
    }
    return this.cache.byRole.get(role) ?? new Set();
  }
}
