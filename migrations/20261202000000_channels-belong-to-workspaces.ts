import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * A channel's settings and alerts belong to (workspace, channel), not to a channel id alone:
 * in a Slack Connect channel two workspaces see one id, and each has its own settings, digest
 * and alerts (issue 16). `team_id` '' is the default workspace (single-workspace mode, and the
 * channels set up by environment). The settings table is rebuilt for its new primary key (a
 * small table: one row per channel set up from Slack).
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('channel_settings_by_team', (t) => {
    binary(t);
    t.string('team_id', 32).notNullable().defaultTo('');
    t.string('channel_id', 32).notNullable();
    t.boolean('digest_enabled').notNullable().defaultTo(false);
    t.string('digest_time', 5).notNullable().defaultTo('09:00');
    t.string('timezone', 64).nullable();
    t.boolean('digest_when_empty').notNullable().defaultTo(true);
    t.boolean('alerts_enabled').notNullable().defaultTo(false);
    t.decimal('undelivered_floor', 6, 4).nullable();
    t.decimal('unreachable_floor', 6, 4).nullable();
    t.string('account_id', 64).nullable();
    t.string('updated_by', 32).nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.primary(['team_id', 'channel_id']);
  });
  await knex.raw(
    `INSERT INTO channel_settings_by_team (team_id, channel_id, digest_enabled, digest_time, timezone, digest_when_empty,
       alerts_enabled, undelivered_floor, unreachable_floor, account_id, updated_by, updated_at)
     SELECT COALESCE(team_id, ''), channel_id, digest_enabled, digest_time, timezone, digest_when_empty,
       alerts_enabled, undelivered_floor, unreachable_floor, account_id, updated_by, updated_at
     FROM channel_settings`,
  );
  await knex.schema.dropTable('channel_settings');
  await knex.schema.renameTable('channel_settings_by_team', 'channel_settings');

  await knex.schema.alterTable('alerts', (t) => {
    t.string('team_id', 32).notNullable().defaultTo('');
  });
  // an alert belongs to the workspace whose channel settings turned alerts on there
  await knex.raw(
    `UPDATE alerts SET team_id = COALESCE(
       (SELECT MIN(s.team_id) FROM channel_settings s WHERE s.channel_id = alerts.channel_id), '')`,
  );
  await knex.schema.alterTable('alerts', (t) => {
    t.dropUnique(['channel_id', 'kind', 'live_key']);
    t.unique(['team_id', 'channel_id', 'kind', 'live_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('alerts', (t) => {
    t.dropUnique(['team_id', 'channel_id', 'kind', 'live_key']);
    t.unique(['channel_id', 'kind', 'live_key']);
  });
  await knex.schema.alterTable('alerts', (t) => t.dropColumn('team_id'));
  await knex.schema.createTable('channel_settings_by_channel', (t) => {
    binary(t);
    t.string('channel_id', 32).primary();
    t.boolean('digest_enabled').notNullable().defaultTo(false);
    t.string('digest_time', 5).notNullable().defaultTo('09:00');
    t.string('timezone', 64).nullable();
    t.boolean('digest_when_empty').notNullable().defaultTo(true);
    t.boolean('alerts_enabled').notNullable().defaultTo(false);
    t.decimal('undelivered_floor', 6, 4).nullable();
    t.decimal('unreachable_floor', 6, 4).nullable();
    t.string('account_id', 64).nullable();
    t.string('updated_by', 32).nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.string('team_id', 32).nullable();
  });
  // one row per channel survives (the default workspace's first)
  await knex.raw(
    `INSERT INTO channel_settings_by_channel (channel_id, digest_enabled, digest_time, timezone, digest_when_empty,
       alerts_enabled, undelivered_floor, unreachable_floor, account_id, updated_by, updated_at, team_id)
     SELECT channel_id, digest_enabled, digest_time, timezone, digest_when_empty, alerts_enabled, undelivered_floor,
       unreachable_floor, account_id, updated_by, updated_at, NULLIF(team_id, '')
     FROM channel_settings s
     WHERE s.team_id = (SELECT MIN(x.team_id) FROM channel_settings x WHERE x.channel_id = s.channel_id)`,
  );
  await knex.schema.dropTable('channel_settings');
  await knex.schema.renameTable('channel_settings_by_channel', 'channel_settings');
}
