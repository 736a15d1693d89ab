import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * The whole schema, written with TypeORM's Table API so the same migration produces valid DDL on
 * MySQL/MariaDB and SQLite. Indexes follow the queries that exist: tickets by event and status,
 * reservations by user and by (user, request id), outbox rows by (event, version).
 */
export class InitialSchema1764115200000 implements MigrationInterface {
  name = 'InitialSchema1764115200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    const intType = mysql ? 'int' : 'integer';
    const bigText = mysql ? 'longtext' : 'text';
    const id: TableColumnOptions = {
      name: 'id',
      type: intType,
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    };
    const int = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: intType,
      ...extra,
    });
    const str = (
      name: string,
      length: number,
      extra: Partial<TableColumnOptions> = {},
    ): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      ...extra,
    });
    const createdAt: TableColumnOptions = { name: 'created_at', type: 'datetime', precision: 3 };

    await queryRunner.createTable(
      new Table({
        name: 'role_permissions',
        columns: [str('role', 32, { isPrimary: true }), str('permission', 64, { isPrimary: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          str('email', 254),
          str('password_hash', 255),
          str('display_name', 100),
          str('role', 32),
          createdAt,
        ],
        indices: [{ name: 'UQ_users_email', columnNames: ['email'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'events',
        columns: [
          id,
          str('name', 200),
          int('version', { default: 0 }),
          int('total_tickets', { default: 0 }),
          int('available_tickets', { default: 0 }),
          createdAt,
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tickets',
        columns: [
          id,
          int('event_id'),
          str('label', 100),
          int('value'),
          str('status', 16),
          int('reservation_id', { isNullable: true }),
        ],
        indices: [
          { name: 'IDX_tickets_event_status', columnNames: ['event_id', 'status', 'id'] },
          { name: 'IDX_tickets_reservation', columnNames: ['reservation_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'reservations',
        columns: [
          id,
          int('event_id'),
          int('user_id'),
          int('level'),
          str('status', 16),
          str('request_id', 64),
          { name: 'ticket_ids', type: bigText },
          createdAt,
        ],
        indices: [
          { name: 'UQ_reservations_user_request', columnNames: ['user_id', 'request_id'], isUnique: true },
          { name: 'IDX_reservations_event_status', columnNames: ['event_id', 'status'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'reservation_tickets',
        columns: [int('ticket_id', { isPrimary: true }), int('reservation_id')],
        indices: [{ name: 'IDX_reservation_tickets_reservation', columnNames: ['reservation_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inventory_changes',
        columns: [
          int('event_id', { isPrimary: true }),
          int('version', { isPrimary: true }),
          str('cause', 20),
          { name: 'items', type: bigText },
          int('total_tickets'),
          int('available_tickets'),
          { name: 'committed_at', type: 'bigint' },
        ],
      }),
    );

    const grants: [string, string][] = [
      ['attendee', 'levels:reserve'],
      ['admin', 'levels:reserve'],
      ['admin', 'events:write'],
      ['admin', 'tickets:write'],
      ['admin', 'reservations:manage'],
    ];
    for (const [role, permission] of grants) {
      await queryRunner.query('INSERT INTO role_permissions (role, permission) VALUES (?, ?)', [
        role,
        permission,
      ]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'inventory_changes',
      'reservation_tickets',
      'reservations',
      'tickets',
      'events',
      'users',
      'role_permissions',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
