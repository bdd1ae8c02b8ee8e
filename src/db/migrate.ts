import type { Knex } from 'knex';
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
];

const source: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

const opts = { migrationSource: source, tableName: 'knex_migrations' };

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(opts)) as [number, string[]];
  return applied;
}

export async function pendingMigrations(db: Knex): Promise<string[]> {
  const [, pending] = (await db.migrate.list(opts)) as [unknown[], Array<{ file: string } | [string, Migration]>];
  return pending.map((p) => (Array.isArray(p) ? p[0] : p.file));
}

export async function rollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(opts, true);
}
