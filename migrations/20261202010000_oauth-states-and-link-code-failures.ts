import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Abuse limits that hold across instances (issue 16): an OAuth install state is stored and
 * consumed once (a replayed state is refused), and wrong link codes are counted per workspace.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('oauth_states', (t) => {
    binary(t);
    t.string('state_hash', 64).primary(); // SHA-256 of the state: the table alone installs nothing
    t.text('install_options').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['created_at']);
  });
  await knex.schema.createTable('link_code_failures', (t) => {
    binary(t);
    t.bigIncrements('id').primary();
    t.string('team_id', 32).notNullable();
    t.datetime('at', { precision: 3 }).notNullable();
    t.index(['team_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('link_code_failures');
  await knex.schema.dropTableIfExists('oauth_states');
}
