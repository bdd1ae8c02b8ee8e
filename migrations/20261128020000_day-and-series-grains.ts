import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Grains that compress (ADR 1): the per-day series needs only hour × type × status; the
 * carrier and campaign splits need no local-day buckets, so whole UTC days serve them.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('counts_series_hourly', (t) => {
    binary(t);
    t.datetime('hour', { precision: 3 }).notNullable();
    t.string('type', 3).notNullable();
    t.string('status', 24).notNullable();
    t.bigInteger('segments').notNullable();
    t.bigInteger('messages').notNullable();
    t.primary(['hour', 'type', 'status']);
  });
  await knex.schema.createTable('counts_daily', (t) => {
    binary(t);
    t.datetime('day', { precision: 3 }).notNullable(); // UTC midnight
    t.string('type', 3).notNullable();
    t.string('carrier', 64).notNullable();
    t.string('status', 24).notNullable();
    t.bigInteger('segments').notNullable();
    t.bigInteger('messages').notNullable();
    t.primary(['day', 'type', 'carrier', 'status']);
  });
  await knex.schema.createTable('counts_campaign_daily', (t) => {
    binary(t);
    t.datetime('day', { precision: 3 }).notNullable();
    t.string('campaign_id', 64).notNullable();
    t.string('type', 3).notNullable();
    t.string('status', 24).notNullable();
    t.string('account_id', 64).notNullable();
    t.bigInteger('segments').notNullable();
    t.bigInteger('messages').notNullable();
    t.primary(['day', 'campaign_id', 'type', 'status']);
    t.index(['account_id', 'day']);
    t.index(['campaign_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['counts_campaign_daily', 'counts_daily', 'counts_series_hourly'])
    await knex.schema.dropTableIfExists(t);
}
