import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MySQL/MariaDB: the last step of every inventory transaction (InventoryOutbox.bumpAndRecord) as a
 * stored procedure, so it stays one round trip (the event row's lock is held for it) without
 * enabling multi-statement queries on the connection pool, where an injected `;` could run a
 * second statement. SQLite runs the statements one by one in process and needs nothing.
 */
export class BumpAndRecordProcedure1764979200000 implements MigrationInterface {
  name = 'BumpAndRecordProcedure1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    await queryRunner.query(`
      CREATE PROCEDURE bump_and_record(
        IN p_event_id INT, IN p_total INT, IN p_available INT, IN p_cause VARCHAR(20), IN p_items LONGTEXT, IN p_committed_at BIGINT)
      BEGIN
        UPDATE events SET version = version + 1, total_tickets = total_tickets + p_total, available_tickets = available_tickets + p_available
          WHERE id = p_event_id;
        IF ROW_COUNT() > 0 THEN
          INSERT INTO inventory_changes (event_id, version, cause, items, total_tickets, available_tickets, committed_at)
            SELECT id, version, p_cause, p_items, total_tickets, available_tickets, p_committed_at FROM events WHERE id = p_event_id;
        END IF;
        SELECT version, total_tickets, available_tickets FROM events WHERE id = p_event_id;
      END`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    await queryRunner.query('DROP PROCEDURE IF EXISTS bump_and_record');
  }
}
