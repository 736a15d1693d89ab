import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * event_level_counts: the level count of each event as the replicas last computed it, so event
 * lists come from the database instead of building every event's index. Existing events get a
 * row with version -1 (not computed yet); the next change or read of the event computes it.
 */
export class EventLevelCounts1764806400000 implements MigrationInterface {
  name = 'EventLevelCounts1764806400000';

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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('event_level_counts');
  }
}
