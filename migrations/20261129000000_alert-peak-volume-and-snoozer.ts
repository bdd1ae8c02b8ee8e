import type { Knex } from 'knex';

/**
 * An alert keeps the denominator of its peak (the body said "32.2% of 0 settled messages" once
 * the window emptied) and who snoozed it apart from who acknowledged it (a snooze no longer
 * passes for an acknowledgement).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('alerts', (t) => {
    t.integer('peak_volume').nullable();
    t.string('snoozed_by', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('alerts', (t) => {
    t.dropColumn('peak_volume');
    t.dropColumn('snoozed_by');
  });
}
