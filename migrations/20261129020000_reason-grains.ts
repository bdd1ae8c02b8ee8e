import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Counts by reason (issue 10): failures by provider error code (0 = none), at a UTC-day grain
 * for every filter but campaign and account (whole days of a period; a 30-day answer reads a
 * few thousand rows), and at an hourly campaign grain for those and for the hours at a
 * period's edges. Only the
 * statuses that have a reason (failed, ignored, unreachable, undelivered) are kept here.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('counts_reason_daily', (t) => {
    binary(t);
    t.datetime('day', { precision: 3 }).notNullable(); // UTC midnight
    t.string('type', 3).notNullable();
    t.string('carrier', 64).notNullable();
    t.string('status', 24).notNullable();
    t.integer('error_code').notNullable();
    t.bigInteger('segments').notNullable().defaultTo(0);
    t.bigInteger('messages').notNullable().defaultTo(0);
    t.primary(['day', 'type', 'carrier', 'status', 'error_code']);
  });
  await knex.schema.createTable('counts_reason_campaign_hourly', (t) => {
    binary(t);
    t.string('campaign_id', 64).notNullable();
    t.datetime('hour', { precision: 3 }).notNullable();
    t.string('type', 3).notNullable();
    t.string('carrier', 64).notNullable();
    t.string('status', 24).notNullable();
    t.integer('error_code').notNullable();
    t.string('account_id', 64).notNullable();
    t.bigInteger('segments').notNullable().defaultTo(0);
    t.bigInteger('messages').notNullable().defaultTo(0);
    t.primary(['campaign_id', 'hour', 'type', 'carrier', 'status', 'error_code']);
    t.index(['account_id', 'hour']);
    t.index(['hour']);
  });
  await knex.schema.alterTable('auto_unsubscribes', (t) => {
    t.text('reasons').nullable(); // JSON: the reasons of the failures that made the run
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auto_unsubscribes', (t) => t.dropColumn('reasons'));
  await knex.schema.dropTableIfExists('counts_reason_campaign_hourly');
  await knex.schema.dropTableIfExists('counts_reason_daily');
}
