import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../config';

export type Db = Knex;

/**
 * MySQL/MariaDB when DATABASE_URL is set, else the embedded SQLite file under DATA_DIR.
 * Both speak UTC: mysql2 reads and writes DATETIME as UTC and the session time zone is
 * pinned to +00:00; SQLite stores our own UTC text (see dialect.ts).
 */
export function createDb(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'sqliteFile'>,
  opts: { poolMax?: number } = {},
): Db {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl.replace(/^mysql2:/, 'mysql:'));
    return knexFactory({
      client: 'mysql2',
      connection: {
        host: url.hostname,
        port: url.port ? Number(url.port) : 3306,
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.replace(/^\//, ''),
        timezone: 'Z',
        dateStrings: false,
        supportBigNumbers: true,
        bigNumberStrings: false,
        charset: 'utf8mb4',
      },
      pool: {
        min: 0,
        max: opts.poolMax ?? 10,
        afterCreate: (
          conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
          done: (err: Error | null, conn: unknown) => void,
        ) => {
          conn.query("SET time_zone = '+00:00'", (err) => done(err, conn));
        },
      },
    });
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: config.sqliteFile },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { pragma: (s: string) => unknown }, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = FULL'); // a 2xx means committed, and committed means on disk
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  });
}
