import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignSpan, loadCarriers, loadDirectory } from '../../src/db/directory.repository';
import { lastSendBefore } from '../../src/db/messages.repository';
import { buildDigest } from '../../src/digests/digest.service';
import { onlyAccounts, type AccountScope } from '../../src/domain/account-scope';
import { ingestMessages } from '../../src/ingest/ingest.service';
import { defaultSettings } from '../../src/settings/channel-settings.repository';
import { buildStatsView } from '../../src/stats/stats-view.service';
import { atRiskSubscribers, autoUnsubscribesBetween } from '../../src/unsubscribes/unsubscribes.repository';
import { message } from '../helpers/app';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';

/**
 * Every tenant read, given a scope that sees nothing (a workspace nobody linked, a channel
 * scoped to a disconnected account), gives nothing back — and the same read with the account's
 * own scope gives its data, so the check cannot pass by reading nothing at all.
 */
const NOW = new Date('2026-11-28T15:30:00Z');

describe.each(ENGINES)('an empty scope reads nothing (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    const records = [0, 1, 2].map((i) =>
      message({
        provider_message_id: `SME${String(i).padStart(31, '0')}`,
        to: `+1303555${4000 + i}`,
        status: i === 0 ? 'undelivered' : 'delivered_confirmed',
        error_code: i === 0 ? 30007 : null,
      }),
    );
    const r = await ingestMessages(tdb.db, records as never, { now: NOW, mmsSegments: 1 });
    expect(r.ok).toBe(true);
    await tdb.db('subscribers').update({ fail_streak: 5 });
    await tdb.db('auto_unsubscribes').insert({
      subscriber_id: 1,
      account_id: 'acct_1',
      phone: '+13035554000',
      carrier: 'Verizon',
      at: engine === 'sqlite' ? '2026-11-27T16:00:00.000Z' : '2026-11-27 16:00:00.000',
      campaigns: '[]',
      job_slot: 'x',
    });
  });
  afterAll(async () => tdb?.drop());

  const reads = (scope: AccountScope) =>
    Promise.all([
      buildStatsView(tdb.db, '30d', 'UTC', NOW, scope).then((v) => (v.ok ? v.view.stats.totals.messages : -1)),
      loadCarriers(tdb.db, scope),
      loadDirectory(tdb.db, { accounts: scope }).then((d) => [d.carriers, d.campaigns, d.accounts].flat().length),
      campaignSpan(tdb.db, 'cmp_42', scope),
      lastSendBefore(tdb.db, NOW, scope),
      atRiskSubscribers(tdb.db, 5, 6, scope).then((r) => r.length),
      autoUnsubscribesBetween(tdb.db, new Date('2026-11-27T00:00:00Z'), NOW, scope).then((r) => r.length),
      buildDigest(tdb.db, tdb.config, defaultSettings('C1'), '2026-11-27', NOW, scope).then(
        (d) => d.day.totals.messages + d.atRisk + d.autoUnsubscribed,
      ),
    ]);

  it('gives nothing back with a scope that sees nothing, and the account its own data', async () => {
    expect(await reads(onlyAccounts([]))).toEqual([0, [], 0, null, null, 0, 0, 0]);
    const own = await reads(onlyAccounts(['acct_1']));
    expect(own[0]).toBe(3);
    expect(own[1]).toEqual(['Verizon']);
    expect(own[3]).not.toBeNull();
    expect(own[4]).toEqual(new Date('2026-11-27T15:00:00Z'));
    expect(own.slice(5)).toEqual([3, 1, 3 + 3 + 1]);
  });
});
