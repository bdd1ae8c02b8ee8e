import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');

  // The run ledger: one row per job and slot, claimed by insert, so any number of instances
  // run each slot exactly once.
  await knex.schema.createTable('job_runs', (t) => {
    binary(t);
    t.string('job', 64).notNullable();
    t.string('slot', 128).notNullable();
    t.string('status', 16).notNullable(); // running | done | failed | skipped
    t.string('claimed_by', 64).notNullable();
    t.datetime('claimed_at', { precision: 3 }).notNullable();
    t.datetime('finished_at', { precision: 3 }).nullable();
    t.text('detail').nullable();
    t.primary(['job', 'slot']);
  });

  await knex.schema.createTable('channel_settings', (t) => {
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
  });

  await knex.schema.createTable('alerts', (t) => {
    binary(t);
    t.bigIncrements('id').primary();
    t.string('channel_id', 32).notNullable();
    t.string('kind', 24).notNullable(); // undelivered | unreachable | auto_unsubscribe
    t.string('scope_key', 191).notNullable();
    t.text('scope').notNullable(); // JSON: carrier, type, account
    // equals scope_key while the alert is not resolved, NULL after: one live alert per scope
    t.string('live_key', 191).nullable();
    t.string('state', 16).notNullable(); // open | acknowledged | snoozed | resolved
    t.decimal('rate', 8, 6).nullable();
    t.decimal('baseline', 8, 6).nullable();
    t.decimal('threshold', 8, 6).nullable();
    t.decimal('peak_rate', 8, 6).nullable();
    t.integer('volume').nullable();
    t.string('message_ts', 32).nullable();
    t.string('acked_by', 32).nullable();
    t.datetime('acked_at', { precision: 3 }).nullable();
    t.datetime('snoozed_until', { precision: 3 }).nullable();
    t.string('resolved_by', 32).nullable(); // a user id, or 'auto'
    t.datetime('resolved_at', { precision: 3 }).nullable();
    t.datetime('below_since', { precision: 3 }).nullable();
    t.datetime('opened_at', { precision: 3 }).notNullable();
    t.text('detail').nullable();
    t.unique(['channel_id', 'kind', 'live_key']);
    t.index(['message_ts']);
  });

  await knex.schema.alterTable('subscribers', (t) => {
    t.integer('fail_streak').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('auto_unsubscribes', (t) => {
    binary(t);
    t.bigIncrements('id').primary();
    t.bigInteger('subscriber_id').unsigned().notNullable();
    t.string('account_id', 64).notNullable();
    t.string('phone', 20).notNullable();
    t.string('carrier', 64).nullable();
    t.datetime('at', { precision: 3 }).notNullable();
    t.text('campaigns').notNullable(); // JSON: the campaigns that failed in a row
    t.string('job_slot', 128).notNullable();
    t.datetime('restored_at', { precision: 3 }).nullable();
    t.string('restored_by', 32).nullable();
    t.index(['at']);
    t.index(['subscriber_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('auto_unsubscribes');
  await knex.schema.alterTable('subscribers', (t) => {
    t.dropColumn('fail_streak');
  });
  for (const table of ['alerts', 'channel_settings', 'job_runs']) await knex.schema.dropTableIfExists(table);
}
