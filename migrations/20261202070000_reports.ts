import type { Knex } from 'knex';

/** Weekly and monthly reports per channel (issue 18): "mon 09:00" and "1 09:00", in the channel's zone. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => {
    t.string('report_weekly', 16).nullable();
    t.string('report_monthly', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => {
    t.dropColumn('report_weekly');
    t.dropColumn('report_monthly');
  });
}
