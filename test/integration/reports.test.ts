import { WebClient } from '@slack/web-api';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { mapProviderStatus } from '../../src/domain/status';
import { applyCallbacks, ingestMessages } from '../../src/ingest/ingest.service';
import { JOB, jobTable } from '../../src/jobs/jobs';
import { Scheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/logger';
import { messageProblems } from '../../src/messages/block-limits';
import { webClientNotifier } from '../../src/messages/notifier';
import { defaultSettings, saveChannelSettings } from '../../src/settings/channel-settings.repository';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { oneWorkspace } from '../../src/workspaces/workspace-directory';
import { message } from '../helpers/app';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/databases';
import { BOT_TOKEN } from '../helpers/slack';

/**
 * Weekly and monthly reports (issue 18): posted once per period across three instances, the
 * period against the one before with exact figures, and the CSV files in the thread.
 */
const CHANNEL = 'C2147483705';
const log = createLogger('silent');

describe.each(ENGINES)('weekly and monthly reports (%s)', (engine) => {
  let tdb: TestDatabase;
  let standIn: SlackStandIn;
  let others: Knex[];
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    others = [createDb(loadConfig(tdb.env)), createDb(loadConfig(tdb.env))];
    standIn = await new SlackStandIn({ token: BOT_TOKEN }).start();
    // the week of Nov 23: Alpha Sale 200 SMS on T-Mobile (20 filtered), Beta Promo 150 on Verizon,
    // a 10-message test send; the week before: Alpha Sale 100, all delivered
    let i = 0;
    const batch = (n: number, o: Record<string, unknown>, failing = 0) =>
      Array.from({ length: n }, (_, k) => ({
        record: message({
          provider_message_id: `SMR${String(i++).padStart(31, '0')}`,
          to: `+1720555${String(1000 + (i % 9000)).padStart(4, '0')}`,
          segments: 1,
          status: 'queued',
          ...o,
        }),
        failed: k < failing,
      }));
    const all = [
      ...batch(
        200,
        { campaign_id: 'cmp_a', campaign_name: 'Alpha Sale', carrier: 'T-Mobile', sent_at: '2026-11-24T15:00:00Z' },
        20,
      ),
      ...batch(150, {
        campaign_id: 'cmp_b',
        campaign_name: 'Beta Promo',
        carrier: 'Verizon',
        sent_at: '2026-11-26T15:00:00Z',
      }),
      ...batch(10, {
        campaign_id: 'cmp_t',
        campaign_name: 'Test send',
        carrier: 'Verizon',
        sent_at: '2026-11-27T15:00:00Z',
      }),
      ...batch(100, {
        campaign_id: 'cmp_a',
        campaign_name: 'Alpha Sale',
        carrier: 'T-Mobile',
        sent_at: '2026-11-17T15:00:00Z',
      }),
    ];
    const now = new Date('2026-11-29T12:00:00Z');
    for (let k = 0; k < all.length; k += 250)
      expect(
        (await ingestMessages(tdb.db, all.slice(k, k + 250).map((x) => x.record) as never, { now, mmsSegments: 1 })).ok,
      ).toBe(true);
    await applyCallbacks(
      tdb.db,
      all.map(({ record, failed }) => ({
        provider: 'twilio',
        providerMessageId: record.provider_message_id as string,
        providerStatus: failed ? 'undelivered' : 'delivered',
        mappedStatus: mapProviderStatus(failed ? 'undelivered' : 'delivered', failed ? 30007 : null) ?? null,
        errorCode: failed ? 30007 : null,
        numSegments: null,
        payload: '{}',
        receivedAt: now,
      })),
      now,
    );
    await saveChannelSettings(
      tdb.db,
      {
        ...defaultSettings(CHANNEL),
        timezone: 'UTC',
        reports: { weekly: { kind: 'weekly', day: 1, time: '09:00' }, monthly: null },
      },
      'U0ADMIN',
      now,
    );
  });
  afterAll(async () => {
    for (const o of others ?? []) await o.destroy();
    await standIn?.stop();
    await tdb?.drop();
  });

  it('posts the weekly report once across three instances, with its CSV files in the thread', async () => {
    const notifier = webClientNotifier(new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl }));
    const config = loadConfig({ ...tdb.env, CHART_RENDERER: 'none' });
    const tick = (db: Knex, iso: string) =>
      new Scheduler(
        db,
        jobTable({ db, config, workspaces: oneWorkspace(notifier), log }),
        fixedClock(new Date(iso)),
        log,
      ).tick(JOB.reports);
    await tick(tdb.db, '2026-11-30T08:59:00Z'); // Monday 08:59: the report of the week before that is too old: skipped
    expect(standIn.callsTo('chat.postMessage').filter((c) => c.ok)).toHaveLength(0);
    await Promise.all([tdb.db, ...others].map((db) => tick(db, '2026-11-30T09:00:00Z')));
    await Promise.all([tdb.db, ...others].map((db) => tick(db, '2026-11-30T09:05:00Z')));
    const parents = standIn.messages.filter((m) => m.channel === CHANNEL && m.threadTs === null);
    expect(parents.map((m) => m.text)).toEqual([
      'Weekly report · Week of Nov 23 (Nov 23 – Nov 29, 2026, UTC): 360 segments, delivery rate 94.4% (▼ 5.6 pts vs the week before), $0.60 on undelivered segments. Undelivered 20, Delivery (Confirmed) 340.',
    ]);
    const report = parents[0]!;
    expect(messageProblems({ text: report.text, blocks: report.blocks })).toEqual([]);
    const body = JSON.stringify(report.blocks);
    expect(body).toContain(
      '*Best campaigns*\\n• Beta Promo — 150 seg, 100.0% delivered\\n*Worst campaigns*\\n• Alpha Sale — 200 seg, 90.0% delivered',
    );
    expect(body).toContain('*$0.60* spent on undelivered segments (20 × $0.03) · *0* numbers auto-unsubscribed');
    expect(body).toContain('*360 segments* · 360 messages (100 segments the week before)');
    const thread = standIn.messages.filter((m) => m.threadTs === report.ts);
    expect(thread).toHaveLength(1);
    expect(thread[0]!.text).toBe("The weekly report's figures, day by day (dates in UTC).");
    const files = thread[0]!.files.map((id) => standIn.files.get(id)!);
    expect(files.map((f) => f.title)).toEqual([
      'campaign-stats-weekly-2026-11-23-2026-11-29.csv',
      'campaign-stats-weekly-2026-11-23-2026-11-29-reasons.csv',
    ]);
    expect(report.blocks).toMatchSnapshot();
    const csv = files[0]!.bytes!.toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('date,account_id,campaign_id,campaign_name,carrier,type,status,segments,messages');
    expect(csv).toContain('2026-11-24,acct_1,cmp_a,Alpha Sale,T-Mobile,sms,undelivered,20,20');
  });

  it('posts the monthly report on its day: the whole month, against a month with nothing', async () => {
    standIn.reset();
    await saveChannelSettings(
      tdb.db,
      {
        ...defaultSettings(CHANNEL),
        timezone: 'UTC',
        reports: { weekly: null, monthly: { kind: 'monthly', day: 1, time: '09:00' } },
      },
      'U0ADMIN',
      new Date('2026-11-30T12:00:00Z'),
    );
    const notifier = webClientNotifier(new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl }));
    const config = loadConfig({ ...tdb.env, CHART_RENDERER: 'none' });
    await Promise.all(
      [tdb.db, ...others].map((db) =>
        new Scheduler(
          db,
          jobTable({ db, config, workspaces: oneWorkspace(notifier), log }),
          fixedClock(new Date('2026-12-01T09:02:00Z')),
          log,
        ).tick(JOB.reports),
      ),
    );
    const parents = standIn.messages.filter((m) => m.channel === CHANNEL && m.threadTs === null);
    expect(parents.map((m) => m.text)).toEqual([
      'Monthly report · November 2026 (Nov 1 – Nov 30, 2026, UTC): 460 segments, delivery rate 95.7%, $0.60 on undelivered segments. Undelivered 20, Delivery (Confirmed) 440.',
    ]);
    expect(messageProblems({ text: parents[0]!.text, blocks: parents[0]!.blocks })).toEqual([]);
    expect(parents[0]!.blocks).toMatchSnapshot();
  });
});
