import { MigrationInterface, QueryRunner, TableColumn, TableForeignKey } from 'typeorm';

/** Every reference between tables, so the database refuses an orphan whatever the code does. */
const FOREIGN_KEYS: { table: string; column: string; references: string; nullable?: boolean }[] = [
  { table: 'tickets', column: 'event_id', references: 'events' },
  { table: 'tickets', column: 'reservation_id', references: 'reservations', nullable: true },
  { table: 'reservations', column: 'event_id', references: 'events' },
  { table: 'reservations', column: 'user_id', references: 'users' },
  { table: 'reservation_tickets', column: 'ticket_id', references: 'tickets' },
  { table: 'reservation_tickets', column: 'reservation_id', references: 'reservations' },
  { table: 'inventory_changes', column: 'event_id', references: 'events' },
  { table: 'event_level_counts', column: 'event_id', references: 'events' },
];

/**
 * InnoDB checks a foreign key whenever an entry of the index it uses is written, even when the key
 * column keeps its value, taking a shared lock on the parent row. Were `event_id`'s foreign keys
 * to use these (event_id, status, …) indexes, every status change (reserving, cancelling) would
 * take a shared lock on the event row before the exclusive one the version bump takes at the end:
 * two concurrent reservations of an event would deadlock. So each gets a plain (event_id) index,
 * created before the foreign key (InnoDB uses the first index that fits), and these are rebuilt
 * after it.
 */
const STATUS_INDEXES = [
  { table: 'tickets', name: 'IDX_tickets_event_status', columns: 'event_id, status, id' },
  { table: 'reservations', name: 'IDX_reservations_event_status', columns: 'event_id, status' },
];

/**
 * Sessions that end when they should, and integrity the database enforces:
 * - users.token_version: a token names the version it was issued at; bumping it (log out
 *   everywhere, a new password) ends every session of the user at once.
 * - the `users:manage` permission for admins (changing roles).
 * - foreign keys on every reference (rows left behind by earlier versions, which had none, are
 *   removed first; a ticket's dangling reservation_id is cleared). Nothing cascades: the code
 *   deletes children first, and a reservation that commits while its event is deleted now fails
 *   instead of leaving orphans.
 */
export class SessionsAndForeignKeys1764892800000 implements MigrationInterface {
  name = 'SessionsAndForeignKeys1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const intType = queryRunner.connection.driver.options.type === 'better-sqlite3' ? 'integer' : 'int';
    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'token_version', type: intType, default: 0 }),
    );
    await queryRunner.query(
      "INSERT INTO role_permissions (role, permission) VALUES ('admin', 'users:manage')",
    );
    for (const { table, column, references, nullable } of [...FOREIGN_KEYS].reverse()) {
      const orphans = `${column} NOT IN (SELECT id FROM ${references})`;
      await queryRunner.query(
        nullable
          ? `UPDATE ${table} SET ${column} = NULL WHERE ${orphans}`
          : `DELETE FROM ${table} WHERE ${orphans}`,
      );
    }
    const mysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    // See STATUS_INDEXES: the plain event_id index must come first, so the foreign key uses it.
    if (mysql) {
      for (const { table, name } of STATUS_INDEXES) {
        await queryRunner.query(`DROP INDEX ${name} ON ${table}`);
        await queryRunner.query(`CREATE INDEX IDX_${table}_event ON ${table} (event_id)`);
      }
    }
    for (const { table, column, references } of FOREIGN_KEYS) {
      await queryRunner.createForeignKey(
        table,
        new TableForeignKey({
          name: `FK_${table}_${column}`,
          columnNames: [column],
          referencedTableName: references,
          referencedColumnNames: ['id'],
          onDelete: 'RESTRICT',
        }),
      );
    }
    if (mysql) {
      for (const { table, name, columns } of STATUS_INDEXES)
        await queryRunner.query(`CREATE INDEX ${name} ON ${table} (${columns})`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column } of [...FOREIGN_KEYS].reverse())
      await queryRunner.dropForeignKey(table, `FK_${table}_${column}`);
    if (queryRunner.connection.driver.options.type !== 'better-sqlite3') {
      for (const { table } of STATUS_INDEXES)
        await queryRunner.query(`DROP INDEX IDX_${table}_event ON ${table}`);
    }
    await queryRunner.query(
      "DELETE FROM role_permissions WHERE role = 'admin' AND permission = 'users:manage'",
    );
    await queryRunner.dropColumn('users', 'token_version');
  }
}
