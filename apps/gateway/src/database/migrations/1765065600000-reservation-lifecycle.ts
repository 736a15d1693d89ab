import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * The reservation lifecycle:
 * - reservations: `held` until `expires_at`, then `confirmed` or `expired`; `cancelled` by the
 *   holder, `released` by an admin. Existing active reservations were final when made: they become
 *   `confirmed` (settled when created). `ticket_count` lets limits sum tickets without reading
 *   the JSON lists; `expiry_warned` makes the one-minute warning go out once across replicas.
 * - events: their own hold time (null: HOLD_TTL) and per-user limits (one hold at a time by
 *   default, no ticket limits).
 * - audit_log: append-only history, written in the transaction of each change.
 * - the `audit:read` permission for admins.
 */
export class ReservationLifecycle1765065600000 implements MigrationInterface {
  name = 'ReservationLifecycle1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.driver.options.type === 'better-sqlite3';
    const int = sqlite ? 'integer' : 'int';
    const text = sqlite ? 'text' : 'longtext';
    await queryRunner.addColumns('reservations', [
      new TableColumn({ name: 'expires_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'settled_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'ticket_count', type: int, default: 0 }),
      new TableColumn({ name: 'expiry_warned', type: int, default: 0 }),
    ]);
    await queryRunner.query("UPDATE reservations SET status = 'confirmed' WHERE status = 'active'");
    await queryRunner.query('UPDATE reservations SET settled_at = created_at');
    await queryRunner.query(
      `UPDATE reservations SET ticket_count = ${sqlite ? 'json_array_length' : 'JSON_LENGTH'}(ticket_ids)`,
    );
    await queryRunner.createIndex(
      'reservations',
      new TableIndex({ name: 'IDX_reservations_holds', columnNames: ['status', 'expires_at'] }),
    );
    await queryRunner.createIndex(
      'reservations',
      new TableIndex({ name: 'IDX_reservations_user_event', columnNames: ['user_id', 'event_id', 'status'] }),
    );

    await queryRunner.addColumns('events', [
      new TableColumn({ name: 'hold_ttl_seconds', type: int, isNullable: true }),
      new TableColumn({ name: 'holds_per_user', type: int, default: 1 }),
      new TableColumn({ name: 'tickets_per_user', type: int, isNullable: true }),
      new TableColumn({ name: 'tickets_per_reservation', type: int, isNullable: true }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'id', type: int, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'at', type: 'datetime', precision: 3 },
          { name: 'actor_id', type: int, isNullable: true },
          { name: 'action', type: 'varchar', length: '32' },
          { name: 'event_id', type: int, isNullable: true },
          { name: 'reservation_id', type: int, isNullable: true },
          { name: 'subject_user_id', type: int, isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'details', type: text },
        ],
        // No foreign keys: the history outlives what it names (a deleted event, say).
        indices: [
          { name: 'IDX_audit_event', columnNames: ['event_id', 'id'] },
          { name: 'IDX_audit_actor', columnNames: ['actor_id', 'id'] },
          { name: 'IDX_audit_reservation', columnNames: ['reservation_id', 'id'] },
          { name: 'IDX_audit_action', columnNames: ['action', 'id'] },
          { name: 'IDX_audit_at', columnNames: ['at'] },
        ],
      }),
    );
    await queryRunner.query("INSERT INTO role_permissions (role, permission) VALUES ('admin', 'audit:read')");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      "DELETE FROM role_permissions WHERE role = 'admin' AND permission = 'audit:read'",
    );
    await queryRunner.dropTable('audit_log');
    for (const column of [
      'tickets_per_reservation',
      'tickets_per_user',
      'holds_per_user',
      'hold_ttl_seconds',
    ])
      await queryRunner.dropColumn('events', column);
    await queryRunner.dropIndex('reservations', 'IDX_reservations_user_event');
    await queryRunner.dropIndex('reservations', 'IDX_reservations_holds');
    await queryRunner.query(
      "UPDATE reservations SET status = 'active' WHERE status IN ('held', 'confirmed')",
    );
    await queryRunner.query(
      "UPDATE reservations SET status = 'cancelled' WHERE status IN ('expired', 'released')",
    );
    for (const column of ['expiry_warned', 'ticket_count', 'settled_at', 'expires_at'])
      await queryRunner.dropColumn('reservations', column);
  }
}
