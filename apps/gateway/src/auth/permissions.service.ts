import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Database } from '../database/database';
import { RolePermissionEntity } from './role-permission.entity';

const CACHE_MS = 10_000;

/** Which permissions a role grants, read from role_permissions (roles are data) and cached briefly. */
@Injectable()
export class PermissionsService {
  private cache: { loadedAt: number; byRole: Map<string, Set<string>> } | null = null;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Whether any permission is granted to the role (roles exist by their grants). */
  async roleExists(role: string): Promise<boolean> {
    return (await this.permissionsOf(role)).size > 0;
  }

  async permissionsOf(role: string): Promise<ReadonlySet<string>> {
    const age = this.cache ? this.clock.nowMs() - this.cache.loadedAt : Infinity;
    // Reload when stale, or when a role shows up that the cache has not seen (a role just granted).
    if (age > CACHE_MS || !this.cache?.byRole.has(role)) {
      const byRole = new Map<string, Set<string>>();
      for (const grant of await this.database.read((manager) => manager.find(RolePermissionEntity))) {
        const set = byRole.get(grant.role) ?? new Set<string>();
        set.add(grant.permission);
        byRole.set(grant.role, set);
      }
      this.cache = { loadedAt: this.clock.nowMs(), byRole };
    }
    return this.cache.byRole.get(role) ?? new Set();
  }
}
