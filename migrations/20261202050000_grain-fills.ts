import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Online fills of count grains (issue 17): a grain added to a live database is filled from the
 * messages stored before it, in small batches with non-locking reads, while the write path
 * keeps it current (src/db/grain-fill.ts; README "Online migrations"). A migration that adds a
 * grain inserts its row here as `pending`; `campaign-stats fill` does the rest.
 *
 * grain_fills: per grain, pending → filling → ready; the highest message id the fill covers
 * (taken once the write path is writing the grain) and how far it has got.
 * grain_fill_first_states: while a grain fills, the state each message had when the write path
 * first changed it (NULL status: inserted while filling) — what the fill counts for it.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('grain_fills', (t) => {
    binary(t);
    t.string('grain', 64).primary();
    t.string('state', 16).notNullable(); // pending | filling | ready
    t.bigInteger('watermark').nullable();
    t.bigInteger('done_to').notNullable().defaultTo(0);
    t.datetime('started_at', { precision: 3 }).nullable();
    t.datetime('finished_at', { precision: 3 }).nullable();
  });
  await knex.schema.createTable('grain_fill_first_states', (t) => {
    binary(t);
    t.string('grain', 64).notNullable();
    t.string('provider_message_id', 64).notNullable();
    t.string('status', 24).nullable();
    t.integer('segments').nullable();
    t.integer('error_code').nullable();
    t.primary(['grain', 'provider_message_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('grain_fill_first_states');
  await knex.schema.dropTable('grain_fills');
}
