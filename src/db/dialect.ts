import type { Knex } from 'knex';

/**
 * Every difference between MySQL/MariaDB and SQLite that the code depends on lives here.
 *
 * Timestamps: DATETIME(3) in UTC on MySQL; on SQLite the same instant as UTC text
 * `YYYY-MM-DD HH:MM:SS.mmm`, which sorts and compares correctly as text.
 */
export type Dialect = 'mysql' | 'sqlite';

export function dialectOf(db: Knex): Dialect {
  const client = String(db.client.config.client);
  return client.startsWith('mysql') ? 'mysql' : 'sqlite';
}

export function toDbTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function fromDbTime(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') return new Date(value.includes('T') ? value : `${value.replace(' ', 'T')}Z`);
  if (typeof value === 'number') return new Date(value);
  throw new Error(`not a database timestamp: ${String(value)}`);
}

/** SQL for "the column incremented by the value this upsert row carries". */
export function incremented(db: Knex, column: string): Knex.Raw {
  return dialectOf(db) === 'mysql'
    ? db.raw('?? + VALUES(??)', [column, column])
    : db.raw('?? + excluded.??', [column, column]);
}

/** SQL truncating a timestamp column to its UTC hour, in the column's own storage format. */
export function hourOf(db: Knex, column: string): Knex.Raw {
  return dialectOf(db) === 'mysql'
    ? db.raw("CAST(DATE_FORMAT(??, '%Y-%m-%d %H:00:00') AS DATETIME(3))", [column])
    : db.raw("strftime('%Y-%m-%d %H:00:00.000', ??)", [column]);
}

/** A unique or primary key refused the insert (MySQL 1062, SQLite constraint). */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { errno?: number; code?: string };
  return e.errno === 1062 || e.code === 'ER_DUP_ENTRY' || String(e.code).startsWith('SQLITE_CONSTRAINT');
}

const RETRYABLE_MYSQL = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */]);

/** The server stopped a statement past STATEMENT_TIMEOUT (MariaDB max_statement_time, MySQL max_execution_time). */
export function isStatementTimeout(err: unknown): boolean {
  const errno = (err as { errno?: number }).errno;
  return errno === 1969 || errno === 3024;
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof RowNotVisibleYet) return true;
  const e = err as { errno?: number; code?: string };
  return (e.errno !== undefined && RETRYABLE_MYSQL.has(e.errno)) || String(e.code).startsWith('SQLITE_BUSY');
}

/**
 * A row that an insert-if-missing found but a read cannot see yet (a Galera node applying
 * another node's commit): the transaction is run again, like a deadlock victim.
 */
export class RowNotVisibleYet extends Error {
  constructor(what: string) {
    super(`${what} was created concurrently and is not visible yet`);
    this.name = 'RowNotVisibleYet';
  }
}

/**
 * Runs `work` in a transaction, retrying it whole when the database chose it as a deadlock
 * victim (MySQL 1213) rather than losing it. `work` must be safe to run again.
 */
export async function inTransaction<T>(
  db: Knex,
  work: (trx: Knex.Transaction) => Promise<T>,
  attempts = 6,
  /** MySQL/MariaDB only: e.g. READ COMMITTED, so each read sees what committed before it */
  isolation?: 'read committed',
): Promise<T> {
  const config = isolation && dialectOf(db) === 'mysql' ? { isolationLevel: isolation } : undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work, config);
    } catch (err) {
      if (!isRetryable(err) || attempt >= attempts) throw err;
      // jittered, growing backoff: about 3 s in all, enough to ride out a lock held for a moment
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 25 * 2 ** attempt)));
    }
  }
}

/** Locking read where the database has row locks (MySQL); SQLite serialises writers anyway. */
export function locking<T extends Knex.QueryBuilder>(db: Knex | Knex.Transaction, qb: T, mode: 'update' | 'share'): T {
  if (dialectOf(db as Knex) !== 'mysql') return qb;
  return (mode === 'update' ? qb.forUpdate() : qb.forShare()) as T;
}

/** MariaDB sorts GROUP BY results unless told not to; callers that need no order say so. */
export function unsorted(db: Knex, qb: Knex.QueryBuilder): Knex.QueryBuilder {
  return dialectOf(db) === 'mysql' ? qb.orderByRaw('NULL') : qb;
}

const DATA_ERRORS_MYSQL = new Set([1048, 1264, 1265, 1292, 1366, 1406, 1452, 3819]);

/** The database refused this data (out of range, too long, bad value): retrying will not help. */
export function isDataError(err: unknown): boolean {
  const e = err as { errno?: number; code?: string };
  return (
    (e.errno !== undefined && DATA_ERRORS_MYSQL.has(e.errno)) ||
    ['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE'].some((c) => String(e.code).startsWith(c))
  );
}

/**
 * The 15-minute UTC bucket of a timestamp column (seconds since the epoch / 900). Every local
 * day boundary of every time zone falls on one, so buckets never straddle two local days.
 */
export function quarterHourOf(db: Knex, column: string): Knex.Raw {
  return dialectOf(db) === 'mysql'
    ? db.raw('FLOOR(UNIX_TIMESTAMP(??) / 900)', [column])
    : db.raw("CAST(strftime('%s', ??) AS INTEGER) / 900", [column]);
}
