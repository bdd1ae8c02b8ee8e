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
  opts: { poolMax?: number; statementTimeout?: number } = {},
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
      // knex prints connection errors with console.warn; they reach the caller as errors, said once
      log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
      pool: {
        min: 0,
        max: opts.poolMax ?? 10,
        afterCreate: (
          conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
          done: (err: Error | null, conn: unknown) => void,
        ) => {
          conn.query("SET time_zone = '+00:00'", (err) => {
            const seconds = opts.statementTimeout ?? 0;
            if (err || seconds <= 0) return done(err, conn);
            // MariaDB: max_statement_time (seconds); MySQL: max_execution_time (ms, SELECT only)
            conn.query(`SET SESSION max_statement_time = ${Number(seconds)}`, (mariaErr) => {
              if (!mariaErr) return done(null, conn);
              conn.query(`SET SESSION max_execution_time = ${Number(seconds) * 1000}`, (mysqlErr) =>
                done(mysqlErr, conn),
              );
            });
          });
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

/** A database error a person can act on, in words (missing database, unreachable server, refused login), or null. */
export function explainDbError(err: unknown, databaseUrl: string | undefined): string | null {
  const e = err as { errno?: number; code?: string };
  if (!databaseUrl) return null;
  const u = new URL(databaseUrl.replace(/^mysql2:/, 'mysql:'));
  const where = `${u.hostname}:${u.port || 3306}`;
  const name = u.pathname.replace(/^\//, '');
  if (e.errno === 1049 || e.code === 'ER_BAD_DB_ERROR')
    return `the database "${name}" does not exist on ${where}: create it first, e.g. CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin; then run migrate again`;
  if (e.code === 'ECONNREFUSED' || e.code === 'ETIMEDOUT' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH')
    return `cannot reach MySQL/MariaDB at ${where} (${e.code}): is it running, and is DATABASE_URL right?`;
  if (e.errno === 1045 || e.code === 'ER_ACCESS_DENIED_ERROR')
    return `MySQL/MariaDB at ${where} refused the user in DATABASE_URL (wrong user or password)`;
  return null;
}
