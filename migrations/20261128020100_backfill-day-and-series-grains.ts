import type { Knex } from 'knex';

/** Data only: fills the grains of the previous migration from the hourly counts (exact sums). */
export async function up(knex: Knex): Promise<void> {
  const mysql = String(knex.client.config.client).startsWith('mysql');
  const day = mysql
    ? "CAST(DATE_FORMAT(hour, '%Y-%m-%d 00:00:00') AS DATETIME(3))"
    : "strftime('%Y-%m-%d 00:00:00.000', hour)";
  await knex.raw(`INSERT INTO counts_series_hourly (hour, type, status, segments, messages)
    SELECT hour, type, status, SUM(segments), SUM(messages) FROM counts_hourly GROUP BY hour, type, status`);
  await knex.raw(`INSERT INTO counts_daily (day, type, carrier, status, segments, messages)
    SELECT ${day}, type, carrier, status, SUM(segments), SUM(messages) FROM counts_hourly GROUP BY ${day}, type, carrier, status`);
  await knex.raw(`INSERT INTO counts_campaign_daily (day, campaign_id, type, status, account_id, segments, messages)
    SELECT ${day}, campaign_id, type, status, MIN(account_id), SUM(segments), SUM(messages) FROM counts_campaign_hourly GROUP BY ${day}, campaign_id, type, status`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['counts_campaign_daily', 'counts_daily', 'counts_series_hourly']) await knex(t).del();
}
