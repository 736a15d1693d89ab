/** A fresh MariaDB database per run (`tickets_e2e_<random>`), dropped at the end. */
import { createConnection } from 'mysql2/promise';
import { randomSuffix } from './gateway';

/** Server URL without a database; the same default and override as the gateway's tests. */

const SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomSuffix()}`;
  const connection = await createConnection(SERVER_URL);
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  return {
    name,
    url: `${SERVER_URL.replace(/\/$/, '')}/${name}`,
    async drop() {
      const dropper = await createConnection(SERVER_URL);
      try {
        await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await dropper.end();
      }
    },
  };
}
