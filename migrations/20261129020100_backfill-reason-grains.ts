import type { Knex } from 'knex';

/** Data only: fills the reason grains from the messages already stored (exact counts). */
export async function up(knex: Knex): Promise<void> {
  const mysql = String(knex.client.config.client).startsWith('mysql');
  const hour = mysql
    ? "CAST(DATE_FORMAT(sent_at, '%Y-%m-%d %H:00:00') AS DATETIME(3))"
    : "strftime('%Y-%m-%d %H:00:00.000', sent_at)";
  const day = mysql
    ? "CAST(DATE_FORMAT(sent_at, '%Y-%m-%d 00:00:00') AS DATETIME(3))"
    : "strftime('%Y-%m-%d 00:00:00.000', sent_at)";
  const reasoned = "status IN ('failed', 'ignored', 'unreachable', 'undelivered')";
  await knex.raw(`INSERT INTO counts_reason_daily (day, type, carrier, status, error_code, segments, messages)
    SELECT ${day}, type, carrier, status, COALESCE(error_code, 0), SUM(segments), COUNT(*) FROM messages
    WHERE ${reasoned} GROUP BY ${day}, type, carrier, status, COALESCE(error_code, 0)`);
  await knex.raw(`INSERT INTO counts_reason_campaign_hourly (campaign_id, hour, type, carrier, status, error_code, account_id, segments, messages)
    SELECT campaign_id, ${hour}, type, carrier, status, COALESCE(error_code, 0), MIN(account_id), SUM(segments), COUNT(*) FROM messages
    WHERE ${reasoned} GROUP BY campaign_id, ${hour}, type, carrier, status, COALESCE(error_code, 0)`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['counts_reason_campaign_hourly', 'counts_reason_daily']) await knex(t).del();
}
