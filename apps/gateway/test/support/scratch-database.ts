/**
 * A throwaway MariaDB database per test or benchmark run: created fresh, dropped at the end.
 * The server is the one the standards name (127.0.0.1:3306, root, empty password); TEST_MYSQL_URL
 * overrides the server (not the database name) for machines that differ.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';

const SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export class ScratchDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  /** Creates `<prefix>_<random>`; the prefix says who owns it if a crashed run leaves it behind. */
  static async create(prefix: string): Promise<ScratchDatabase> {
    const name = `${prefix}_${randomBytes(4).toString('hex')}`;
    const connection = await createConnection(SERVER_URL);
    try {
      await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    } finally {
      await connection.end();
    }
    return new ScratchDatabase(name, `${SERVER_URL.replace(/\/$/, '')}/${name}`);
  }

  /** Runs read-only checks against the database the replicas write to. */
  async query<T extends RowDataPacket>(sql: string, values: unknown[] = []): Promise<T[]> {
    const connection = await this.connect();
    try {
      const [rows] = await connection.query<T[]>(sql, values);
      return rows;
    } finally {
      await connection.end();
    }
  }

  async connect(): Promise<Connection> {
    return createConnection(this.url);
  }

  async drop(): Promise<void> {
    const connection = await createConnection(SERVER_URL);
    try {
      await connection.query(`DROP DATABASE IF EXISTS \`${this.name}\``);
    } finally {
      await connection.end();
    }
  }
}
