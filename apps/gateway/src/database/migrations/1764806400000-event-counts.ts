import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Counts that used to take a scan or an index build:
 * - event_level_counts: the level count of each event as the replicas last computed it, so event
 *   lists come from the database instead of building every event's index. Existing events get a
 *   row with version -1 (not computed yet); a replica's start computes them.
 * - events.total_value: the sum of the event's ticket values, kept with the other counters, so
 *   adding tickets checks the ceiling without summing every ticket.
 */
export class EventCounts1764806400000 implements MigrationInterface {
  name = 'EventCounts1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const intType = queryRunner.connection.driver.options.type === 'better-sqlite3' ? 'integer' : 'int';
    await queryRunner.createTable(
      new Table({
        name: 'event_level_counts',
        columns: [
          { name: 'event_id', type: intType, isPrimary: true },
          { name: 'version', type: intType },
          { name: 'level_count', type: intType },
        ],
      }),
    );
    await queryRunner.query(
      'INSERT INTO event_level_counts (event_id, version, level_count) SELECT id, -1, 0 FROM events',
    );
    await queryRunner.addColumn(
      'events',
      new TableColumn({ name: 'total_value', type: intType, default: 0 }),
    );
    await queryRunner.query(
      'UPDATE events SET total_value = (SELECT COALESCE(SUM(t.value), 0) FROM tickets t WHERE t.event_id = events.id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('events', 'total_value');
    await queryRunner.dropTable('event_level_counts');
  }
}
