import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyAccounts, platformScope } from '../../src/domain/account-scope';
import { mapProviderStatus } from '../../src/domain/status';
import { applyCallbacks, ingestMessages } from '../../src/ingest/ingest.service';
import { NUMBERS_PER_PAGE, reasonNumbers } from '../../src/stats/drill.service';
import { resolveQuery } from '../../src/stats/stats-view.service';
import { message } from '../helpers/app';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';

/**
 * A reason's drill-down (issue 18): every message that failed for it in the answer's period
 * and filters, newest first, a page at a time, and never another account's.
 */
const NOW = new Date('2026-11-28T15:30:00Z');

describe.each(ENGINES)('the numbers behind a reason (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    // acct_1: 45 filtered (30007) and 5 unreachable (30003) on T-Mobile; acct_2: 7 filtered
    const records = Array.from({ length: 57 }, (_, i) =>
      message({
        provider_message_id: `SMD${String(i).padStart(31, '0')}`,
        to: `+1720555${String(2000 + i)}`,
        account_id: i < 50 ? 'acct_1' : 'acct_2',
        account_name: i < 50 ? 'Green Leaf Denver' : 'Other Shop',
        campaign_id: i < 50 ? 'cmp_42' : 'cmp_other',
        carrier: 'T-Mobile',
        status: 'queued',
        segments: 1,
        sent_at: new Date(NOW.getTime() - (60 + i) * 60_000).toISOString(),
      }),
    );
    expect((await ingestMessages(tdb.db, records as never, { now: NOW, mmsSegments: 1 })).ok).toBe(true);
    await applyCallbacks(
      tdb.db,
      records.map((r, i) => {
        const code = i >= 45 && i < 50 ? 30003 : 30007;
        return {
          provider: 'twilio',
          providerMessageId: r.provider_message_id as string,
          providerStatus: 'undelivered',
          mappedStatus: mapProviderStatus('undelivered', code) ?? null,
          errorCode: code,
          numSegments: null,
          payload: '{}',
          receivedAt: NOW,
        };
      }),
      NOW,
    );
  });
  afterAll(async () => tdb?.drop());

  const query = async (words: string, accounts = platformScope('benchmarks and tests')) => {
    const r = await resolveQuery(tdb.db, words, 'UTC', NOW, accounts);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.query;
  };

  it('pages through every filtered message, newest first, and never another account’s', async () => {
    const q = await query('7d', onlyAccounts(['acct_1']));
    const pages = await Promise.all([1, 2, 3].map((p) => reasonNumbers(tdb.db, q, 'carrier_filtered', p)));
    expect(pages.map((p) => [p.total, p.page, p.pages, p.rows.length])).toEqual([
      [45, 1, 3, NUMBERS_PER_PAGE],
      [45, 2, 3, NUMBERS_PER_PAGE],
      [45, 3, 3, 5],
    ]);
    const phones = pages.flatMap((p) => p.rows.map((r) => r.phone));
    expect(phones).toEqual(Array.from({ length: 45 }, (_, i) => `+1720555${String(2000 + i)}`));
    expect(pages[0]!.rows[0]).toMatchObject({ campaign: 'Black Friday', status: 'undelivered', errorCode: 30007 });
    // a page past the end is the last page; the other reason has its own five
    expect((await reasonNumbers(tdb.db, q, 'carrier_filtered', 9)).page).toBe(3);
    expect((await reasonNumbers(tdb.db, q, 'handset_unreachable', 1)).total).toBe(5);
    // the platform sees both accounts' filtered messages
    expect((await reasonNumbers(tdb.db, await query('7d'), 'carrier_filtered', 1)).total).toBe(52);
    // an answer's own filters apply: no MMS was sent
    expect((await reasonNumbers(tdb.db, await query('7d mms'), 'carrier_filtered', 1)).total).toBe(0);
  });
});
