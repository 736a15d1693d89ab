import { Entity, PrimaryColumn } from 'typeorm';

/** One row per (role, permission): adding a role means inserting rows, not writing code. */
@Entity('role_permissions')
export class RolePermissionEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  role: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  permission: string;
}
