import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Where each auto-unsubscribe announcement was posted (issue 15): every channel's parent and
 * thread lists, so that a Restore clicked in one channel redraws the copies in the others.
 * `part` 0 is the parent; 1… are the thread messages listing the numbers, in order.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('announcement_posts', (t) => {
    binary(t);
    t.string('job_slot', 128).notNullable();
    t.string('team_id', 32).notNullable(); // '' = the default workspace
    t.string('channel_id', 32).notNullable();
    t.integer('part').notNullable();
    t.string('ts', 32).notNullable();
    t.primary(['job_slot', 'team_id', 'channel_id', 'part']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('announcement_posts');
}
