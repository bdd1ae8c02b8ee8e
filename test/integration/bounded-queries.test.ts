import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePeriod, type Period } from '../../src/domain/period';
import { ingestMessages } from '../../src/ingest/ingest.service';
import { recount } from '../../src/stats/stats.repository';
import { getStats } from '../../src/stats/stats.service';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';
import { message } from '../helpers/app';
import { platformScope } from '../../src/domain/account-scope';

/** A stats answer issues a bounded number of queries whatever the period and zone (issue 12). */
describe.each(ENGINES)('bounded work per answer (%s)', (engine) => {
  let tdb: TestDatabase;
  const NOW = new Date('2026-11-28T15:30:00Z');
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    // one message every 7 hours over 400 days: every local day's partial hours have some
    const records = Array.from({ length: 1400 }, (_, i) =>
      message({
        provider_message_id: `SMB${String(i).padStart(30, '0')}`,
        to: `+1303555${String(1000 + (i % 50))}`,
        campaign_id: `cmp_${i % 9}`,
        status: ['delivered_confirmed', 'undelivered', 'queued'][i % 3],
        error_code: i % 3 === 1 ? 30007 : null,
        sent_at: new Date(NOW.getTime() - (i * 7 + 0.5) * 3600_000 - (i % 4) * 15 * 60_000).toISOString(),
      }),
    );
    for (let i = 0; i < records.length; i += 1000)
      expect((await ingestMessages(tdb.db, records.slice(i, i + 1000) as never, { now: NOW, mmsSegments: 1 })).ok).toBe(
        true,
      );
  });
  afterAll(async () => tdb?.drop());

  it.each([
    ['400d', 'Asia/Kolkata'],
    ['400d', 'Asia/Kathmandu'],
    ['400d', 'UTC'],
    ['300h', 'Australia/Adelaide'],
  ])('%s in %s: at most 16 queries, and the exact answer', async (word, zone) => {
    const period = resolvePeriod(word, zone, NOW) as Period;
    let queries = 0;
    const count = () => queries++;
    tdb.db.on('query', count);
    const stats = await getStats(
      tdb.db,
      {
        period,
        type: null,
        carrier: null,
        campaign: null,
        account: null,
        accounts: platformScope('benchmarks and tests'),
      },
      NOW,
    );
    tdb.db.removeListener('query', count);
    expect(queries).toBeLessThanOrEqual(16);
    const scope = { type: null, carrier: null, campaignId: null, accountIds: null };
    for (const t of await recount(tdb.db, scope, period.start, period.end)) {
      expect(stats.statuses[t.status]).toEqual({ segments: t.segments, messages: t.messages });
    }
    expect(stats.series.reduce((n, d) => n + d.totals.messages, 0)).toBe(stats.totals.messages);
    expect(stats.totals.messages).toBeGreaterThan(word === '300h' ? 30 : 1000);
  });
});
