import type { Knex } from 'knex';

const ID = 64;

// Identifiers and names compare byte for byte on MySQL as they do on SQLite, so a count row
// for "Verizon" never merges with one for "verizon" on one engine and not the other.
// (Table collation is MySQL-only; SQLite's default is already binary.)
let isMysql = false;
const binary = (t: Knex.CreateTableBuilder) => {
  if (!isMysql) return;
  t.charset('utf8mb4');
  t.collate('utf8mb4_bin');
};

export async function up(knex: Knex): Promise<void> {
  isMysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('accounts', (t) => {
    binary(t);
    t.string('id', ID).primary();
    t.string('name', 255).nullable();
    t.boolean('messaging_active').notNullable().defaultTo(true);
    t.datetime('created_at', { precision: 3 }).notNullable();
  });

  await knex.schema.createTable('campaigns', (t) => {
    binary(t);
    t.string('id', ID).primary();
    t.string('account_id', ID).notNullable().references('id').inTable('accounts');
    t.string('name', 255).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['account_id']);
  });

  await knex.schema.createTable('subscribers', (t) => {
    binary(t);
    t.bigIncrements('id').primary();
    t.string('account_id', ID).notNullable().references('id').inTable('accounts');
    t.string('phone', 20).notNullable();
    t.string('carrier', 64).nullable();
    t.boolean('subscribed').notNullable().defaultTo(true);
    t.string('unsubscribe_reason', 16).nullable(); // stop | manual | auto
    t.datetime('state_changed_at', { precision: 3 }).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['account_id', 'phone']);
  });

  await knex.schema.createTable('messages', (t) => {
    binary(t);
    t.bigIncrements('id').primary();
    t.string('provider_message_id', ID).notNullable().unique();
    t.string('account_id', ID).notNullable();
    t.string('campaign_id', ID).notNullable();
    t.bigInteger('subscriber_id').unsigned().notNullable();
    t.string('type', 3).notNullable(); // sms | mms
    t.string('carrier', 64).notNullable().defaultTo(''); // '' = unknown
    t.integer('segments').notNullable();
    t.string('segments_source', 8).notNullable(); // provider | sender | body | default
    t.string('status', 24).notNullable();
    t.integer('error_code').nullable();
    t.boolean('attempted').notNullable();
    t.datetime('sent_at', { precision: 3 }).notNullable();
    t.datetime('status_changed_at', { precision: 3 }).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['sent_at']);
    t.index(['campaign_id']);
    t.index(['subscriber_id', 'sent_at']);
  });

  // Every status callback exactly as received, append-only: explains any message's history,
  // and holds callbacks that arrive before their message until it does.
  await knex.schema.createTable('status_callbacks', (t) => {
    binary(t);
    t.bigIncrements('id').primary();
    t.string('provider', 16).notNullable();
    t.string('provider_message_id', ID).notNullable();
    t.string('provider_status', 24).notNullable();
    t.integer('error_code').nullable();
    t.string('mapped_status', 24).nullable();
    t.integer('num_segments').nullable();
    t.text('payload').notNullable();
    t.datetime('received_at', { precision: 3 }).notNullable();
    t.index(['provider_message_id']);
  });

  // Subscribe / unsubscribe / restore events; the id is the cursor of GET /api/v1/unsubscribes.
  await knex.schema.createTable('subscription_events', (t) => {
    binary(t);
    t.bigIncrements('id').primary();
    t.string('account_id', ID).notNullable();
    t.string('phone', 20).notNullable();
    t.string('event', 16).notNullable(); // unsubscribed | subscribed | restored
    t.string('reason', 16).notNullable(); // stop | manual | auto
    t.datetime('at', { precision: 3 }).notNullable();
    t.string('source', 16).notNullable(); // ingest | auto-unsubscribe | slack
    t.text('detail').nullable(); // JSON: e.g. the campaigns that failed
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['account_id', 'phone', 'event', 'reason', 'at']);
  });

  // Pre-aggregated counts, kept in the same transaction as every status change.
  // Grain 1: hour × type × carrier × status — unfiltered, type and carrier views.
  await knex.schema.createTable('counts_hourly', (t) => {
    binary(t);
    t.datetime('hour', { precision: 3 }).notNullable();
    t.string('type', 3).notNullable();
    t.string('carrier', 64).notNullable();
    t.string('status', 24).notNullable();
    t.bigInteger('segments').notNullable();
    t.bigInteger('messages').notNullable();
    t.primary(['hour', 'type', 'carrier', 'status']);
  });

  // Grain 2: campaign × hour × type × carrier × status — campaign and account views and the
  // per-campaign split. Campaigns are bursty, so this stays small next to the raw table.
  await knex.schema.createTable('counts_campaign_hourly', (t) => {
    binary(t);
    t.string('campaign_id', ID).notNullable();
    t.datetime('hour', { precision: 3 }).notNullable();
    t.string('type', 3).notNullable();
    t.string('carrier', 64).notNullable();
    t.string('status', 24).notNullable();
    t.string('account_id', ID).notNullable();
    t.bigInteger('segments').notNullable();
    t.bigInteger('messages').notNullable();
    t.primary(['campaign_id', 'hour', 'type', 'carrier', 'status']);
    t.index(['account_id', 'hour']);
    t.index(['hour']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'counts_campaign_hourly',
    'counts_hourly',
    'subscription_events',
    'status_callbacks',
    'messages',
    'subscribers',
    'campaigns',
    'accounts',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
