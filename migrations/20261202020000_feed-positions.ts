import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * The unsubscribe feed's position (issue 17): assigned after commit, in commit order, by one
 * serialized step (the sequencer row), so a reader that saw position P has seen every position
 * below it. Events already stored keep their id as their position, so a cursor handed out
 * before this migration (an id) still means the same place.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.alterTable('subscription_events', (t) => {
    t.bigInteger('position').nullable();
    t.unique(['position']);
  });
  await knex.schema.createTable('feed_sequencer', (t) => {
    binary(t);
    t.string('feed', 32).primary();
    t.bigInteger('last_position').notNullable();
  });
  await knex.raw('UPDATE subscription_events SET position = id');
  const row = (await knex('subscription_events').max({ last: 'id' }).first()) as { last: unknown } | undefined;
  await knex('feed_sequencer').insert({ feed: 'subscription_events', last_position: Number(row?.last ?? 0) });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('feed_sequencer');
  await knex.schema.alterTable('subscription_events', (t) => {
    t.dropUnique(['position']);
    t.dropColumn('position');
  });
}
