import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessages } from '../../src/ingest/ingest.service';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';
import { message } from '../helpers/app';
import { expectCountsMatchMessages } from '../helpers/state';

/** A campaign belongs to one account, whatever the interleaving of the batches that name it. */
describe.each(ENGINES)('campaign ownership under concurrent batches (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
  });
  afterAll(async () => tdb?.drop());

  it('accepts exactly one of two concurrent batches claiming a new campaign for two accounts, 100 times', async () => {
    const now = new Date('2026-11-28T15:30:00Z');
    const batch = (pair: number, account: string) =>
      [
        message({
          provider_message_id: `SMR${account}${String(pair).padStart(20, '0')}`,
          account_id: account,
          account_name: null,
          campaign_id: `cmp_race_${pair}`,
          to: account === 'acct_a' ? '+13035550101' : '+13035550202',
        }),
      ] as never;
    const outcomes: boolean[][] = [];
    for (let pair = 0; pair < 100; pair++) {
      const [a, b] = await Promise.all([
        ingestMessages(tdb.db, batch(pair, 'acct_a'), { now, mmsSegments: 1 }),
        ingestMessages(tdb.db, batch(pair, 'acct_b'), { now, mmsSegments: 1 }),
      ]);
      outcomes.push([a.ok, b.ok]);
      const refused = a.ok ? b : a;
      if (!refused.ok)
        expect(refused.errors[0]!.message).toMatch(
          /^campaign cmp_race_\d+ belongs to account acct_[ab], not acct_[ab]$/,
        );
    }
    expect(outcomes.filter(([a, b]) => a !== b)).toHaveLength(100);
    // each campaign's messages all belong to its one account
    const mixed = await tdb
      .db('messages')
      .join('campaigns', 'campaigns.id', 'messages.campaign_id')
      .whereRaw('campaigns.account_id <> messages.account_id')
      .count({ n: '*' })
      .first();
    expect(Number(mixed?.n)).toBe(0);
    expect(Number((await tdb.db('messages').count({ n: '*' }).first())?.n)).toBe(100);
    await expectCountsMatchMessages(tdb.db);
  });
});
