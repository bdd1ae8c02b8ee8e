import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Push delivery of the unsubscribe feed (issue 17): where the pusher is in the feed and who
 * holds the lease to push (one instance at a time), and each event's delivery attempts.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('feed_push', (t) => {
    binary(t);
    t.string('feed', 32).primary();
    t.bigInteger('last_position').notNullable(); // delivered (or given up) up to here, in feed order
    t.string('lease_owner', 64).nullable();
    t.datetime('lease_until', { precision: 3 }).nullable();
  });
  await knex.schema.createTable('feed_push_deliveries', (t) => {
    binary(t);
    t.bigInteger('event_id').primary();
    t.bigInteger('position').notNullable();
    t.string('state', 16).notNullable(); // pending | delivered | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('first_attempt_at', { precision: 3 }).nullable();
    t.datetime('next_attempt_at', { precision: 3 }).nullable();
    t.datetime('delivered_at', { precision: 3 }).nullable();
    t.text('last_error').nullable();
    t.index(['state']);
  });
  // pushing starts from the feed's present end: what is already in it was for the pull readers
  const row = (await knex('feed_sequencer').first('last_position').where({ feed: 'subscription_events' })) as
    | { last_position: unknown }
    | undefined;
  await knex('feed_push').insert({ feed: 'subscription_events', last_position: Number(row?.last_position ?? 0) });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('feed_push_deliveries');
  await knex.schema.dropTableIfExists('feed_push');
}
