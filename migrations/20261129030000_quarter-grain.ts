import type { Knex } from 'knex';

/**
 * Counts by 15-minute UTC bucket, every dimension: the partial hours of a :30 or :45 time zone
 * (Asia/Kolkata, Asia/Kathmandu…) are read from here instead of the raw messages (issue 12:
 * a 400-day Kolkata answer read ~400 raw partial hours). Filled from the messages already
 * stored, in the same migration (exact counts).
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = String(knex.client.config.client).startsWith('mysql');
  await knex.schema.createTable('counts_quarter', (t) => {
    if (mysql) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
    t.string('campaign_id', 64).notNullable();
    t.datetime('quarter', { precision: 3 }).notNullable();
    t.string('type', 3).notNullable();
    t.string('carrier', 64).notNullable();
    t.string('status', 24).notNullable();
    t.string('account_id', 64).notNullable();
    t.bigInteger('segments').notNullable().defaultTo(0);
    t.bigInteger('messages').notNullable().defaultTo(0);
    t.primary(['campaign_id', 'quarter', 'type', 'carrier', 'status']);
    t.index(['quarter']);
    t.index(['account_id', 'quarter']);
  });
  const quarter = mysql
    ? 'CAST(FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(sent_at) / 900) * 900) AS DATETIME(3))'
    : "strftime('%Y-%m-%d %H:%M:%S.000', (CAST(strftime('%s', sent_at) AS INTEGER) / 900) * 900, 'unixepoch')";
  const statuses =
    "status IN ('queued', 'failed', 'ignored', 'unreachable', 'undelivered', 'delivered_unconfirmed', 'delivered_confirmed')";
  await knex.raw(`INSERT INTO counts_quarter (campaign_id, quarter, type, carrier, status, account_id, segments, messages)
    SELECT campaign_id, ${quarter}, type, carrier, status, MIN(account_id), SUM(segments), COUNT(*) FROM messages
    WHERE ${statuses} GROUP BY campaign_id, ${quarter}, type, carrier, status`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('counts_quarter');
}
