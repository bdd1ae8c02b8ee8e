import type { Knex } from 'knex';

let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

/**
 * Many workspaces (issue 9): Slack installations with encrypted tokens, the workspaces and the
 * accounts each may see (kept across an uninstall, so a reinstall brings them back), single-use
 * link codes, and the workspace of each channel's settings.
 */
export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('workspaces', (t) => {
    binary(t);
    t.string('team_id', 32).primary();
    t.string('enterprise_id', 32).nullable();
    t.string('name', 255).nullable();
    t.boolean('sees_all_accounts').notNullable().defaultTo(false);
    t.boolean('installed').notNullable().defaultTo(false);
    t.datetime('installed_at', { precision: 3 }).nullable();
    t.datetime('uninstalled_at', { precision: 3 }).nullable();
  });
  await knex.schema.createTable('slack_installations', (t) => {
    binary(t);
    // Bolt's key: the enterprise id for an org-wide install, else the team id
    t.string('install_key', 40).primary();
    t.string('team_id', 32).nullable();
    t.string('enterprise_id', 32).nullable();
    t.boolean('is_enterprise_install').notNullable().defaultTo(false);
    t.text('bot_token').nullable(); // AES-256-GCM, never in clear
    t.text('user_token').nullable();
    t.string('bot_user_id', 32).nullable();
    t.text('installation').notNullable(); // Bolt's installation object without its tokens
    t.datetime('installed_at', { precision: 3 }).notNullable();
  });
  await knex.schema.createTable('workspace_accounts', (t) => {
    binary(t);
    t.string('team_id', 32).notNullable();
    t.string('account_id', 64).notNullable();
    t.string('linked_by', 32).nullable();
    t.datetime('linked_at', { precision: 3 }).notNullable();
    t.primary(['team_id', 'account_id']);
    t.index(['account_id']);
  });
  await knex.schema.createTable('slack_link_codes', (t) => {
    binary(t);
    t.string('code_hash', 64).primary(); // SHA-256 of the code: a leaked table links nothing
    t.string('account_id', 64).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.datetime('used_at', { precision: 3 }).nullable();
    t.string('used_by_team', 32).nullable();
    t.string('used_by_user', 32).nullable();
  });
  await knex.schema.alterTable('channel_settings', (t) => {
    t.string('team_id', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => t.dropColumn('team_id'));
  for (const table of ['slack_link_codes', 'workspace_accounts', 'slack_installations', 'workspaces']) {
    await knex.schema.dropTableIfExists(table);
  }
}
