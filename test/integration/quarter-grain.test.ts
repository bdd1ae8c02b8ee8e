import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as quarterGrain from '../../migrations/20261129030000_quarter-grain';
import { fromDbTime } from '../../src/db/dialect';
import { ingestMessages } from '../../src/ingest/ingest.service';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';
import { message } from '../helpers/app';
import { expectCountsMatchMessages } from '../helpers/state';

/**
 * The 15-minute grain (issue 12): kept by every write like the other grains, and filled by its
 * migration from the messages already stored — the same rows either way, bucket edges included.
 */
describe.each(ENGINES)('the 15-minute grain (%s)', (engine) => {
  let tdb: TestDatabase;
  const NOW = new Date('2026-11-28T15:30:00Z');
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    const at = [
      '2026-11-20T10:14:59.999Z',
      '2026-11-20T10:15:00.000Z',
      '2026-11-20T10:29:59.999Z',
      '2026-11-20T10:30:00.000Z',
      '2026-11-20T10:30:00.001Z',
      '2026-11-20T23:59:59.999Z',
      '2026-11-21T00:00:00.000Z',
    ];
    const records = at.map((sentAt, i) =>
      message({
        provider_message_id: `SMQ${String(i).padStart(30, '0')}`,
        to: `+1303555${1000 + i}`,
        campaign_id: `cmp_${i % 2}`,
        status: i % 3 === 1 ? 'undelivered' : 'delivered_confirmed',
        error_code: i % 3 === 1 ? 30007 : null,
        sent_at: sentAt,
      }),
    );
    expect((await ingestMessages(tdb.db, records as never, { now: NOW, mmsSegments: 1 })).ok).toBe(true);
  });
  afterAll(async () => tdb?.drop());

  const rows = async () =>
    (await tdb.db('counts_quarter').select('campaign_id', 'quarter', 'status', 'segments', 'messages'))
      .map((r) => ({
        campaign_id: r.campaign_id,
        quarter: fromDbTime(r.quarter).toISOString(),
        status: r.status,
        segments: Number(r.segments),
        messages: Number(r.messages),
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it('puts each message in its own 15-minute bucket, and its migration refills the same rows', async () => {
    const written = await rows();
    expect(written.map((r) => `${r.campaign_id} ${r.quarter} ${r.status} ${r.messages}`)).toEqual([
      'cmp_0 2026-11-20T10:00:00.000Z delivered_confirmed 1',
      'cmp_0 2026-11-20T10:15:00.000Z delivered_confirmed 1',
      'cmp_0 2026-11-20T10:30:00.000Z undelivered 1',
      'cmp_0 2026-11-21T00:00:00.000Z delivered_confirmed 1',
      'cmp_1 2026-11-20T10:15:00.000Z undelivered 1',
      'cmp_1 2026-11-20T10:30:00.000Z delivered_confirmed 1',
      'cmp_1 2026-11-20T23:45:00.000Z delivered_confirmed 1',
    ]);
    await expectCountsMatchMessages(tdb.db);
    await quarterGrain.down(tdb.db);
    await quarterGrain.up(tdb.db);
    expect(await rows()).toEqual(written);
  });
});
