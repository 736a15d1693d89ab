import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { Database } from '../database/database';
import { PermissionsService } from './permissions.service';
import { RolePermissionEntity } from './role-permission.entity';

/** Time that moves only when the test says. */
class ManualClock extends Clock {
  nowAt = 1_000_000;
  override nowMs(): number {
    return this.nowAt;
  }
}

describe('PermissionsService', () => {
  let dataSource: DataSource;
  let clock: ManualClock;
  let permissions: PermissionsService;
  const grant = (role: string, permission: string) =>
    dataSource.getRepository(RolePermissionEntity).insert({ role, permission });

  beforeEach(async () => {
    // role_permissions in an in-memory SQLite database: the grants are data the test changes behind the service's back.
    dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [RolePermissionEntity],
      synchronize: true,
    }).initialize();
    await grant('admin', 'events:manage');
    await grant('admin', 'reservations:manage');
    await grant('attendee', 'levels:reserve');
    clock = new ManualClock();
    permissions = new PermissionsService(new Database(dataSource), clock);
  });

  afterEach(() => dataSource.destroy());

  it("answers a role's grants, and none for a role nobody granted anything", async () => {
    expect(await permissions.permissionsOf('admin')).toEqual(
      new Set(['events:manage', 'reservations:manage']),
    );
    expect(await permissions.permissionsOf('nobody')).toEqual(new Set());
    expect(await permissions.roleExists('attendee')).toBe(true);
    expect(await permissions.roleExists('nobody')).toBe(false);
  });

  it('keeps the grants it read for 10 seconds, then reads them again', async () => {
    expect(await permissions.permissionsOf('attendee')).toEqual(new Set(['levels:reserve']));
    await grant('attendee', 'levels:read');
    clock.nowAt += 10_000;
    expect(await permissions.permissionsOf('attendee')).toEqual(new Set(['levels:reserve']));
    clock.nowAt += 1;
    expect(await permissions.permissionsOf('attendee')).toEqual(new Set(['levels:reserve', 'levels:read']));
  });

  it('reads the grants again at once for a role it has not seen (a role just granted)', async () => {
    expect(await permissions.permissionsOf('admin')).toHaveProperty('size', 2);
    await grant('auditor', 'audit:read');
    expect(await permissions.permissionsOf('auditor')).toEqual(new Set(['audit:read']));
    expect(await permissions.roleExists('auditor')).toBe(true);
  });
});
