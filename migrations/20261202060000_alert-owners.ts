import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Alerts that find an owner (issue 19): escalation and quiet hours per channel, the escalation
 * steps each alert has reached (claimed, then posted: a step is claimed by one instance with a
 * conditional update and marked posted after Slack's reply), alerts held in quiet hours, and
 * who has opened the Home tab (to redraw it when an alert changes). Added columns only, with
 * defaults: the old code keeps working during a rolling release.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.alterTable('channel_settings', (t) => {
    t.text('escalate_to').nullable(); // JSON: [{ type: 'group' | 'user', id, handle? }]
    t.integer('escalate_after_minutes').nullable();
    t.integer('renotify_every_minutes').nullable();
    t.integer('renotify_max').nullable();
    t.string('quiet_start', 5).nullable(); // HH:MM local
    t.string('quiet_end', 5).nullable();
    t.string('quiet_zone', 64).nullable(); // null: the channel's zone
  });
  await knex.schema.alterTable('alerts', (t) => {
    t.datetime('posted_at', { precision: 3 }).nullable();
    t.boolean('held').notNullable().defaultTo(false);
    t.integer('escalation_step').notNullable().defaultTo(0);
    t.integer('escalation_posted').notNullable().defaultTo(0);
    t.datetime('escalation_claimed_at', { precision: 3 }).nullable();
    t.string('escalation_claim', 32).nullable(); // the pass that claimed the step in flight
    t.datetime('escalated_at', { precision: 3 }).nullable();
    // each minute's escalation pass reads the open alerts: not a scan of every alert ever resolved
    t.index(['state', 'held'], 'alerts_state_held');
  });
  await knex.schema.createTable('home_views', (t) => {
    binary(t);
    t.string('team_id', 32).notNullable(); // '' = the default workspace
    t.string('user_id', 32).notNullable();
    t.datetime('opened_at', { precision: 3 }).notNullable();
    t.primary(['team_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('home_views');
  await knex.schema.alterTable('alerts', (t) => {
    t.dropIndex(['state', 'held'], 'alerts_state_held');
    for (const c of [
      'posted_at',
      'held',
      'escalation_step',
      'escalation_posted',
      'escalation_claimed_at',
      'escalation_claim',
      'escalated_at',
    ])
      t.dropColumn(c);
  });
  await knex.schema.alterTable('channel_settings', (t) => {
    for (const c of [
      'escalate_to',
      'escalate_after_minutes',
      'renotify_every_minutes',
      'renotify_max',
      'quiet_start',
      'quiet_end',
      'quiet_zone',
    ])
      t.dropColumn(c);
  });
}
