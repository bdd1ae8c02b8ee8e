import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSubscribers, subscriberKey } from '../../src/db/directory.repository';
import { createDb } from '../../src/db/knex';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';

/**
 * Two ingest batches sharing a phone number: the other batch creates the subscriber and commits
 * after this batch's transaction has already read something. Under REPEATABLE READ the
 * insert-if-missing saw the committed row (and skipped it) while the read-back, in the older
 * snapshot, did not: the batch got no id for the number and failed with "Field 'subscriber_id'
 * doesn't have a default value" (seen on a Galera cluster, where another node's commit lands
 * any time). The read-back must see what the insert saw.
 */
describe.each(ENGINES)('subscribers created by a concurrent batch (%s)', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await t.db('accounts').insert({ id: 'acct_1', name: 'One', created_at: new Date() });
  });
  afterAll(async () => t?.drop());

  it('returns an id for a number another transaction created and committed after this one began', async () => {
    const other = engine === 'mariadb' ? createDb(t.config) : t.db;
    try {
      const ids = await t.db.transaction(async (trx) => {
        // this transaction's snapshot starts here (its first read), as the ingest's does
        expect(await trx('subscribers').count({ n: '*' }).first()).toMatchObject({ n: 0 });
        if (engine === 'mariadb')
          await other('subscribers').insert({
            account_id: 'acct_1',
            phone: '+13035550100',
            carrier: 'Verizon',
            subscribed: true,
            created_at: new Date(),
          });
        return ensureSubscribers(
          trx,
          [
            { accountId: 'acct_1', phone: '+13035550100', carrier: 'Verizon' },
            { accountId: 'acct_1', phone: '+13035550101', carrier: 'AT&T' },
          ],
          new Date(),
        );
      });
      expect([...ids.keys()].sort()).toEqual(
        [subscriberKey('acct_1', '+13035550100'), subscriberKey('acct_1', '+13035550101')].sort(),
      );
      const rows = await t.db('subscribers').select('id', 'phone').orderBy('phone');
      expect(rows.map((r: { phone: string }) => r.phone)).toEqual(['+13035550100', '+13035550101']);
      expect(ids.get(subscriberKey('acct_1', '+13035550100'))).toBe(Number(rows[0].id));
    } finally {
      if (other !== t.db) await other.destroy();
    }
  });
});
