import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { platformScope } from '../../src/domain/account-scope';
import { createLogger } from '../../src/logger';
import { restoreAutoUnsubscribe } from '../../src/unsubscribes/unsubscribes.service';
import { getJson, message, postJson, startTestApp, type TestApp } from '../helpers/app';
import { ENGINES } from '../helpers/databases';

/**
 * The feed never skips (issue 17): a platform following `next_cursor` while STOPs arrive in
 * many concurrent batches, the auto-unsubscribe job commits and a Slack restore lands, sees
 * every subscription event exactly once. With the auto-increment id as the cursor, an id taken
 * earlier but committed later was passed for good (hundreds of 1,200 never seen on MariaDB).
 */
const NOW = new Date('2026-11-28T15:30:00Z');
const BATCHES = 60;
const PER_BATCH = 10;

type FeedItem = { event_id?: string; account_id: string; phone: string; event: string; reason: string; at: string };

describe.each(ENGINES)('the unsubscribe feed under concurrent writers (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, {}, NOW);
    // numbers 0–3 failed 7 campaigns in a row (30003): the auto-unsubscribe job takes them.
    // Numbers 0–1 are taken before the race (one is restored during it), 2–3 during it.
    const failed = (n: number, c: number) =>
      message({
        provider_message_id: `SMF${String(n).padStart(15, '0')}${String(c).padStart(15, '0')}`,
        to: `+1720555${String(8000 + n)}`,
        campaign_id: `cmp_f${c}`,
        status: 'undelivered',
        error_code: 30003,
        sent_at: new Date(Date.UTC(2026, 10, 1 + c * 2, 18)).toISOString(),
      });
    const early = [0, 1].flatMap((n) => Array.from({ length: 7 }, (_, c) => failed(n, c)));
    expect((await postJson(t.base, '/api/v1/messages', { messages: early })).status).toBe(200);
    await createScheduler(t.config, t.tdb.db, fixedClock(NOW), createLogger('silent')).tick('auto-unsubscribe');
    const late = [2, 3].flatMap((n) => Array.from({ length: 7 }, (_, c) => failed(n, c)));
    expect((await postJson(t.base, '/api/v1/messages', { messages: late })).status).toBe(200);
  }, 60_000);
  afterAll(async () => t?.stop());

  it('a poller following the cursor sees every event exactly once, whatever commits in between', async () => {
    const seen: FeedItem[] = [];
    let cursor = '';
    let writing = true;
    const poll = async () => {
      const page = await getJson(t.base, `/api/v1/unsubscribes?limit=1000${cursor ? `&since=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.unsubscribes as FeedItem[]));
      cursor = page.body.next_cursor;
      return (page.body.unsubscribes as FeedItem[]).length;
    };
    const poller = (async () => {
      while (writing) await poll();
    })();
    const stops = Array.from({ length: BATCHES }, (_, b) =>
      postJson(t.base, '/api/v1/subscription-events', {
        events: Array.from({ length: PER_BATCH }, (_, i) => ({
          account_id: `acct_${b % 3}`,
          phone: `+1303555${String(1000 + b * PER_BATCH + i).padStart(4, '0')}`,
          event: 'unsubscribed',
          reason: 'stop',
          at: new Date(NOW.getTime() - (b * PER_BATCH + i) * 1000).toISOString(),
        })),
      }).then((r) => expect(r.status).toBe(200)),
    );
    const restore = (async () => {
      const first = await t.tdb.db('auto_unsubscribes').first('id').orderBy('id');
      const r = await restoreAutoUnsubscribe(
        t.tdb.db,
        Number(first.id),
        'U1',
        NOW,
        platformScope('benchmarks and tests'),
      );
      expect(r.ok).toBe(true);
    })();
    const job = createScheduler(
      t.config,
      t.tdb.db,
      fixedClock(new Date(NOW.getTime() + 3600_000)),
      createLogger('silent'),
    ).tick('auto-unsubscribe');
    await Promise.all([...stops, restore, job]);
    writing = false;
    await poller;
    while ((await poll()) > 0);

    const key = (e: FeedItem) => `${e.account_id}|${e.phone}|${e.event}|${e.reason}|${e.at}`;
    const stored = (await t.tdb.db('subscription_events').select('*')).length;
    // 600 STOPs, 4 auto-unsubscribes, 1 restore (and number 0 again, when the job ran after its restore)
    expect([BATCHES * PER_BATCH + 5, BATCHES * PER_BATCH + 6]).toContain(stored);
    const counts = new Map<string, number>();
    for (const e of seen) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(counts.size).toBe(stored);
    // every event carries a stable id
    expect(new Set(seen.map((e) => e.event_id)).size).toBe(stored);
  });

  it('resumes from next_cursor exactly where a page ended, and says how to resume from a bad cursor', async () => {
    const all = await getJson(t.base, '/api/v1/unsubscribes?limit=1000');
    const first = await getJson(t.base, '/api/v1/unsubscribes?limit=5');
    const after = await getJson(t.base, `/api/v1/unsubscribes?limit=3&since=${first.body.next_cursor}`);
    expect((after.body.unsubscribes as FeedItem[]).map((e) => e.event_id)).toEqual(
      (all.body.unsubscribes as FeedItem[]).slice(5, 8).map((e) => e.event_id),
    );
    const bad = await getJson(t.base, '/api/v1/unsubscribes?since=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      {
        path: 'since',
        message:
          'must be a cursor returned as next_cursor (or absent to start from the beginning); to resync, start again without since and skip event_ids already applied',
      },
    ]);
  });
});
