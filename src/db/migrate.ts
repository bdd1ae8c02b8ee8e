import type { Knex } from 'knex';
import { isRetryable } from './dialect';
import * as initialSchema from '../../migrations/20261128000000_initial-schema';
import * as schedulingAlerts from '../../migrations/20261128010000_scheduling-alerts-unsubscribes';
import * as dayGrains from '../../migrations/20261128020000_day-and-series-grains';
import * as backfillDayGrains from '../../migrations/20261128020100_backfill-day-and-series-grains';
import * as alertPeakVolume from '../../migrations/20261129000000_alert-peak-volume-and-snoozer';
import * as workspaces from '../../migrations/20261129010000_workspaces-installations-links';
import * as reasonGrains from '../../migrations/20261129020000_reason-grains';
import * as backfillReasonGrains from '../../migrations/20261129020100_backfill-reason-grains';
import * as quarterGrain from '../../migrations/20261129030000_quarter-grain';
import * as channelsByWorkspace from '../../migrations/20261202000000_channels-belong-to-workspaces';
import * as oauthStates from '../../migrations/20261202010000_oauth-states-and-link-code-failures';
import * as feedPositions from '../../migrations/20261202020000_feed-positions';
import * as unsubscribeWebhook from '../../migrations/20261202030000_unsubscribe-webhook';
import * as announcementCopies from '../../migrations/20261202040000_announcement-copies';
import * as grainFills from '../../migrations/20261202050000_grain-fills';
import * as alertOwners from '../../migrations/20261202060000_alert-owners';
import * as reports from '../../migrations/20261202070000_reports';

type Migration = { up: (knex: Knex) => Promise<void>; down: (knex: Knex) => Promise<void> };

/**
 * Migrations are imported here by name rather than discovered on disk, so they run the same
 * from TypeScript (tests), from compiled JavaScript (the CLI) and need no loader. Add each new
 * file of migrations/ to this list; a test checks the list matches the folder.
 */
export const MIGRATIONS: ReadonlyArray<[name: string, migration: Migration]> = [
  ['20261128000000_initial-schema', initialSchema],
  ['20261128010000_scheduling-alerts-unsubscribes', schedulingAlerts],
  ['20261128020000_day-and-series-grains', dayGrains],
  ['20261128020100_backfill-day-and-series-grains', backfillDayGrains],
  ['20261129000000_alert-peak-volume-and-snoozer', alertPeakVolume],
  ['20261129010000_workspaces-installations-links', workspaces],
  ['20261129020000_reason-grains', reasonGrains],
  ['20261129020100_backfill-reason-grains', backfillReasonGrains],
  ['20261129030000_quarter-grain', quarterGrain],
  ['20261202000000_channels-belong-to-workspaces', channelsByWorkspace],
  ['20261202010000_oauth-states-and-link-code-failures', oauthStates],
  ['20261202020000_feed-positions', feedPositions],
  ['20261202030000_unsubscribe-webhook', unsubscribeWebhook],
  ['20261202040000_announcement-copies', announcementCopies],
  ['20261202050000_grain-fills', grainFills],
  ['20261202060000_alert-owners', alertOwners],
  ['20261202070000_reports', reports],
];

const source: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

const opts = { migrationSource: source, tableName: 'knex_migrations' };

/**
 * Applies the pending migrations. Several instances may run this at once (a release on three
 * cluster nodes). knex's own lock is not enough there: an instance whose lock update lost at
 * commit on another node frees the lock as it fails — while the winner still migrates — so a
 * second instance ran the same migration. Each run first holds a lease of its own
 * (`migration_lease`: one row, claimed by insert, released only by its owner, taken over only
 * once expired); its bookkeeping tables are created race-free first.
 */
export async function migrateLatest(db: Knex, opts_: { lockWaitMs?: number } = {}): Promise<string[]> {
  await ensureMigrationTables(db);
  const owner = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const until = Date.now() + (opts_.lockWaitMs ?? 10 * 60_000);
  while (!(await claimLease(db, owner))) {
    if (Date.now() > until)
      throw new Error(
        'another instance has been migrating for too long (migration_lease): if none is running, delete its row and run `campaign-stats migrate` again',
      );
    await new Promise((r) => setTimeout(r, 250 + Math.random() * 500));
  }
  try {
    for (;;) {
      try {
        const [, applied] = (await db.migrate.latest(opts)) as [number, string[]];
        return applied;
      } catch (err) {
        // knex's reads of its lock chosen as a deadlock victim (Galera aborts a transaction
        // that read a row another node wrote): try again, still under the lease
        if ((err as Error).name !== 'MigrationLocked' && !isRetryable(err)) throw err;
        if (Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 500));
      }
    }
  } finally {
    await db('migration_lease').where({ id: 1, owner }).delete();
  }
}

/** The lease lasts 30 minutes: a migrator that died leaves it to be taken over then. */
const LEASE_MS = 30 * 60_000;

async function claimLease(db: Knex, owner: string): Promise<boolean> {
  const now = Date.now();
  try {
    await db('migration_lease').insert({ id: 1, owner, expires_at: now + LEASE_MS });
    return true;
  } catch (err) {
    // taken (a duplicate key), or lost to another node's claim at commit (a deadlock)
    const e = err as { errno?: number; code?: string };
    if (!(e.errno === 1062 || isRetryable(err) || String(e.code).startsWith('SQLITE_CONSTRAINT'))) throw err;
  }
  try {
    const taken = await db('migration_lease')
      .where({ id: 1 })
      .andWhere('expires_at', '<', now)
      .update({ owner, expires_at: now + LEASE_MS });
    return taken === 1;
  } catch (err) {
    if (isRetryable(err)) return false;
    throw err;
  }
}

/** knex_migrations and its lock table with its one row, as knex makes them, but idempotent and race-free. */
export async function ensureMigrationTables(db: Knex): Promise<void> {
  const mysql = String(db.client.config.client).startsWith('mysql');
  const [serial, int, charset, insertOnce] = mysql
    ? ['int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY', 'int', ' DEFAULT CHARACTER SET utf8mb4', 'INSERT IGNORE']
    : ['integer NOT NULL PRIMARY KEY AUTOINCREMENT', 'integer', '', 'INSERT OR IGNORE'];
  const statements = [
    `CREATE TABLE IF NOT EXISTS knex_migrations (id ${serial}, name varchar(255), batch ${int}, migration_time ${mysql ? 'timestamp NULL' : 'datetime'})${charset}`,
    `CREATE TABLE IF NOT EXISTS knex_migrations_lock (\`index\` ${serial}, is_locked ${int})${charset}`,
    `${insertOnce} INTO knex_migrations_lock (\`index\`, is_locked) VALUES (1, 0)`,
    `CREATE TABLE IF NOT EXISTS migration_lease (id ${int} NOT NULL PRIMARY KEY, owner varchar(64) NOT NULL, expires_at bigint NOT NULL)${charset}`,
  ];
  // each is idempotent; on a cluster two nodes' inserts of the lock row can conflict at commit
  // (a deadlock for the loser, seen in CI): the loser runs it again
  for (const sql of statements)
    for (let attempt = 1; ; attempt++) {
      try {
        await db.raw(sql);
        break;
      } catch (err) {
        if (!isRetryable(err) || attempt >= 8) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 25 * 2 ** attempt)));
      }
    }
}

export async function pendingMigrations(db: Knex): Promise<string[]> {
  const [, pending] = (await db.migrate.list(opts)) as [unknown[], Array<{ file: string } | [string, Migration]>];
  return pending.map((p) => (Array.isArray(p) ? p[0] : p.file));
}

export async function rollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(opts, true);
}
