import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { runCli } from '../../src/cli';
import { fixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { applyCallbacks, ingestMessages } from '../../src/ingest/ingest.service';
import { mapProviderStatus } from '../../src/domain/status';
import { createLogger } from '../../src/logger';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { message } from '../helpers/app';
import { expectCountsMatchMessages } from '../helpers/state';
import { candidateSubscribers } from '../../src/unsubscribes/unsubscribes.repository';

/**
 * The auto-unsubscribe rule counts only what is the number's fault (issue 10): never the
 * sender's (registration), never the carrier's (filtering), never a campaign's carrier incident.
 */
const NOW = new Date('2026-11-28T15:30:00Z');
const phone = (n: number) => `+1720555${String(1000 + n)}`;

describe.each(ENGINES)('auto-unsubscribe by reason (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
  });
  afterAll(async () => tdb?.drop());
  beforeEach(async () => truncateAll(tdb.db));

  /** Seven campaigns, two days apart; `outcome(n, c)` says what message n of campaign c became. */
  async function campaigns(
    numbers: number,
    outcome: (n: number, c: number) => { status: string; code?: number; carrier?: string },
  ) {
    const records = [];
    for (let c = 0; c < 7; c++) {
      for (let n = 0; n < numbers; n++) {
        const o = outcome(n, c);
        records.push(
          message({
            provider_message_id: `SM${String(n).padStart(16, '0')}${String(c).padStart(16, '0')}`,
            to: phone(n),
            campaign_id: `cmp_${c}`,
            carrier: o.carrier ?? 'Verizon',
            status: o.status,
            error_code: o.code ?? null,
            sent_at: new Date(Date.UTC(2026, 10, 1 + c * 2, 18)).toISOString(),
          }),
        );
      }
    }
    for (let i = 0; i < records.length; i += 1000) {
      const r = await ingestMessages(tdb.db, records.slice(i, i + 1000) as never, { now: NOW, mmsSegments: 1 });
      expect(r.ok).toBe(true);
    }
    const config = loadConfig(tdb.env);
    await createScheduler(config, tdb.db, fixedClock(NOW), createLogger('silent')).tick('auto-unsubscribe');
    return (await tdb.db('subscribers').select('phone').where({ subscribed: false }).orderBy('phone')).map(
      (r: { phone: string }) => r.phone,
    );
  }

  it('40 numbers on one carrier, all filtered as spam (30007) in 7 campaigns: none unsubscribed', async () => {
    expect(await campaigns(40, () => ({ status: 'undelivered', code: 30007, carrier: 'T-Mobile' }))).toEqual([]);
  });

  it('40 numbers on one carrier, all unreachable (30003) in 7 campaigns — an incident each time: none', async () => {
    expect(await campaigns(40, () => ({ status: 'undelivered', code: 30003 }))).toEqual([]);
  });

  it('one number unreachable (30003) in 7 campaigns while the others on its carrier are delivered: unsubscribed', async () => {
    const out = await campaigns(40, (n) =>
      n === 7 ? { status: 'undelivered', code: 30003 } : { status: 'delivered_confirmed' },
    );
    expect(out).toEqual([phone(7)]);
    const rec = await tdb.db('auto_unsubscribes').first('reasons', 'campaigns');
    expect(JSON.parse(rec.reasons)).toEqual(Array(7).fill('handset_unreachable'));
  });

  it('7 × 30032 (toll-free number not verified): none; 7 × 30005 (unknown number): unsubscribed', async () => {
    expect(await campaigns(1, () => ({ status: 'failed', code: 30032 }))).toEqual([]);
    await truncateAll(tdb.db);
    expect(await campaigns(1, () => ({ status: 'undelivered', code: 30005 }))).toEqual([phone(0)]);
  });

  it('30002 is Ignored and canceled is in no count', async () => {
    const r = await ingestMessages(
      tdb.db,
      [
        message({ provider_message_id: 'SMX1', status: 'queued' }),
        message({ provider_message_id: 'SMX2', to: phone(2), status: 'queued' }),
      ] as never,
      { now: NOW, mmsSegments: 1 },
    );
    expect(r.ok).toBe(true);
    const cb = (id: string, s: string, code: number | null) => ({
      provider: 'twilio',
      providerMessageId: id,
      providerStatus: s,
      mappedStatus: mapProviderStatus(s, code) ?? null,
      errorCode: code,
      numSegments: null,
      payload: '{}',
      receivedAt: NOW,
    });
    await applyCallbacks(tdb.db, [cb('SMX1', 'failed', 30002), cb('SMX2', 'canceled', null)], NOW);
    const rows = await tdb.db('messages').select('provider_message_id', 'status').orderBy('provider_message_id');
    expect(rows.map((x: any) => [x.provider_message_id, x.status])).toEqual([
      ['SMX1', 'ignored'],
      ['SMX2', 'canceled'],
    ]);
    expect(Number((await tdb.db('status_callbacks').count({ n: '*' }).first())?.n)).toBe(2); // both kept raw
    // the cancelled message left every count; the ignored one is counted as Ignored
    const counted = await tdb.db('counts_hourly').select('status').sum({ n: 'messages' }).groupBy('status');
    expect(counted.filter((c: any) => Number(c.n) !== 0).map((c: any) => [c.status, Number(c.n)])).toEqual([
      ['ignored', 1],
    ]);
    await expectCountsMatchMessages(tdb.db);
  });

  it('still counts a message committed after a run that stamped it before, and never re-examines an unsubscribed number', async () => {
    const config = loadConfig(tdb.env);
    const failedIn = (c: number, n = 0) =>
      message({
        provider_message_id: `SMW${String(n).padStart(12, '0')}${String(c).padStart(12, '0')}`,
        to: phone(n),
        campaign_id: `cmp_w${c}`,
        carrier: 'Verizon',
        status: 'undelivered',
        error_code: 30003,
        sent_at: new Date(Date.UTC(2026, 10, 1 + c * 2, 18)).toISOString(),
      });
    const ingest = async (records: unknown[], at: Date) =>
      expect((await ingestMessages(tdb.db, records as never, { now: at, mmsSegments: 1 })).ok).toBe(true);
    const clock = fixedClock(new Date('2026-11-28T10:00:00Z'));
    const scheduler = createScheduler(config, tdb.db, clock, createLogger('silent'));
    await ingest([failedIn(0, 1)], new Date('2026-11-28T09:00:00Z')); // another number: run 1 has work
    await scheduler.tick('auto-unsubscribe'); // run 1 at 10:00 saw nothing of number 0
    // its seven failures were stamped at 09:59:30, before run 1 read, but committed after it
    await ingest(
      [0, 1, 2, 3, 4, 5, 6].map((c) => failedIn(c)),
      new Date('2026-11-28T09:59:30Z'),
    );
    expect(
      await tdb
        .db('subscribers')
        .first('fail_streak')
        .where({ phone: phone(0) }),
    ).toMatchObject({ fail_streak: 0 });
    clock.set(new Date('2026-11-28T11:00:00Z'));
    await scheduler.tick('auto-unsubscribe'); // run 2 looks back past run 1's marks
    expect(
      await tdb
        .db('subscribers')
        .first('subscribed', 'unsubscribe_reason')
        .where({ phone: phone(0) }),
    ).toMatchObject({ unsubscribe_reason: 'auto' });
    // run 3 does not look at the unsubscribed number again (the other number, still subscribed, it does)
    const ids = Object.fromEntries(
      (await tdb.db('subscribers').select('id', 'phone')).map((r: { id: unknown; phone: string }) => [
        r.phone,
        Number(r.id),
      ]),
    );
    expect(await candidateSubscribers(tdb.db, null, new Date('2026-11-28T00:00:00Z'))).toEqual([ids[phone(1)]]);
  });

  it('review lists the auto-unsubscribes the current rule would not make, and --apply restores them (never a STOP)', async () => {
    // two numbers auto-unsubscribed under the old rule, for carrier filtering; one replied STOP since
    await campaigns(2, () => ({ status: 'undelivered', code: 30007, carrier: 'AT&T' }));
    const subs = await tdb.db('subscribers').select('id', 'account_id', 'phone').orderBy('phone');
    for (const [i, s] of subs.entries()) {
      await tdb
        .db('subscribers')
        .where({ id: s.id })
        .update({ subscribed: false, unsubscribe_reason: i === 0 ? 'auto' : 'stop' });
      await tdb.db('auto_unsubscribes').insert({
        subscriber_id: s.id,
        account_id: s.account_id,
        phone: s.phone,
        carrier: 'AT&T',
        at: '2026-11-20 12:00:00.000',
        campaigns: '[]',
        job_slot: 'old',
      });
    }
    const out: string[] = [];
    const io = { out: (x: string) => out.push(x), err: (x: string) => out.push(x) };
    expect(await runCli(['auto-unsubscribes', 'review'], tdb.env, io, fixedClock(NOW))).toBe(0);
    expect(out).toEqual([
      expect.stringMatching(/^#\d+ •••1000 \(acct_1\): 0 failed campaigns of its own — would not be unsubscribed now$/),
      expect.stringMatching(/^#\d+ •••1001 \(acct_1\): 0 failed campaigns of its own — would not be unsubscribed now$/),
      '2 auto-unsubscribe(s) the current rule would not make; --apply restores them (a STOP is never undone)',
    ]);
    out.length = 0;
    expect(await runCli(['auto-unsubscribes', 'review', '--apply'], tdb.env, io, fixedClock(NOW))).toBe(0);
    expect(out[0]).toMatch(/•••1000 \(acct_1\): 0 failed campaigns of its own — restored$/);
    expect(out[1]).toMatch(
      /•••1001 \(acct_1\): 0 failed campaigns of its own — not restored: •••1001 can't be restored: the customer unsubscribed themselves \(replied STOP\)/,
    );
    const after = await tdb.db('subscribers').select('phone', 'subscribed', 'unsubscribe_reason').orderBy('phone');
    expect(after.map((s: any) => [s.phone, Boolean(s.subscribed), s.unsubscribe_reason])).toEqual([
      [phone(0), true, null],
      [phone(1), false, 'stop'],
    ]);
    const feed = await tdb.db('subscription_events').select('phone', 'event', 'reason');
    expect(feed.map((e: any) => [e.phone, e.event, e.reason])).toEqual([[phone(0), 'restored', 'auto']]);
  });
});
