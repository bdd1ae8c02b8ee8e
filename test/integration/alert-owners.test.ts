import { WebClient } from '@slack/web-api';
import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actOnAlert, evaluateAlerts } from '../../src/alerts/alerts.service';
import { claimEscalationSteps, getAlert, liveAlerts } from '../../src/alerts/alerts.repository';
import { escalateAlerts } from '../../src/alerts/escalation.service';
import { fixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { platformScope } from '../../src/domain/account-scope';
import { mapProviderStatus } from '../../src/domain/status';
import { applyCallbacks, ingestMessages } from '../../src/ingest/ingest.service';
import { JOB, jobTable } from '../../src/jobs/jobs';
import { Scheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/logger';
import { webClientNotifier } from '../../src/messages/notifier';
import {
  defaultSettings,
  saveChannelSettings,
  type ChannelSettings,
} from '../../src/settings/channel-settings.repository';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { oneWorkspace } from '../../src/workspaces/workspace-directory';
import { message } from '../helpers/app';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { BOT_TOKEN } from '../helpers/slack';

/**
 * Alerts that find an owner (issue 19), on a controlled clock against the Slack stand-in:
 * escalation steps once each across three instances and across a restart, stopped by an
 * acknowledgement; quiet hours that hold and summarise, a severe alert that passes; the
 * incident summary on resolve; the campaigns that drive an alert.
 */
const NOW = new Date('2026-11-28T15:30:00Z');
const CHANNEL = 'C2147483705';
const log = createLogger('silent');
const min = (m: number) => new Date(NOW.getTime() + m * 60_000);

describe.each(ENGINES)('alerts that find an owner (%s)', (engine) => {
  let tdb: TestDatabase;
  let standIn: SlackStandIn;
  /** two more "instances": their own connection pools on the same database */
  let others: Knex[];
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    others = [createDb(loadConfig(tdb.env)), createDb(loadConfig(tdb.env))];
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      channels: [
        { id: CHANNEL, name: 'marketing' },
        { id: 'C0SECOND', name: 'support' },
      ],
      usergroups: [{ id: 'S0ONCALL', handle: 'deliverability-oncall' }],
    }).start();
  });
  afterAll(async () => {
    for (const o of others ?? []) await o.destroy();
    await standIn?.stop();
    await tdb?.drop();
  });
  beforeEach(async () => {
    await truncateAll(tdb.db);
    standIn.reset();
  });

  const notifier = () => webClientNotifier(new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl }));
  const config = () => loadConfig(tdb.env);

  /**
   * `n` T-Mobile SMS an hour before NOW, `failing` of them undelivered with `code`, spread over
   * campaigns as `split` says (campaign id → how many of the failures).
   */
  async function seed(
    n: number,
    failing: number,
    code: number,
    split: Record<string, number>,
    opts: { at?: Date; prefix?: string } = {},
  ) {
    const campaignOf: string[] = [];
    for (const [id, k] of Object.entries(split)) for (let i = 0; i < k; i++) campaignOf.push(id);
    const records = Array.from({ length: n }, (_, i) =>
      message({
        provider_message_id: `${opts.prefix ?? 'SMO'}${String(i).padStart(31, '0')}`,
        to: `+1720555${String(1000 + i).padStart(4, '0')}`,
        carrier: 'T-Mobile',
        status: 'queued',
        segments: 1,
        campaign_id: campaignOf[i] ?? 'cmp_quiet',
        campaign_name:
          { cmp_bf: 'Black Friday MMS', cmp_gn: 'Green Nov 27', cmp_rt: 'Retarget' }[campaignOf[i] ?? ''] ??
          'Quiet Campaign',
        sent_at: (opts.at ?? min(-60)).toISOString(),
      }),
    );
    for (let i = 0; i < records.length; i += 500)
      expect((await ingestMessages(tdb.db, records.slice(i, i + 500) as never, { now: NOW, mmsSegments: 1 })).ok).toBe(
        true,
      );
    await applyCallbacks(
      tdb.db,
      records.map((r, i) => {
        const [status, errorCode] = i < failing ? ['undelivered', code] : ['delivered', null];
        return {
          provider: 'twilio',
          providerMessageId: r.provider_message_id as string,
          providerStatus: status as string,
          mappedStatus: mapProviderStatus(status as string, errorCode as number | null) ?? null,
          errorCode: errorCode as number | null,
          numSegments: null,
          payload: '{}',
          receivedAt: NOW,
        };
      }),
      NOW,
    );
  }

  async function channel(change: Partial<ChannelSettings>, channelId = CHANNEL) {
    await saveChannelSettings(
      tdb.db,
      { ...defaultSettings(channelId), alertsEnabled: true, ...change },
      'U0ADMIN',
      NOW,
    );
  }

  const evaluate = (at: Date) =>
    evaluateAlerts({ db: tdb.db, config: config(), workspaces: oneWorkspace(notifier()), log }, at);
  const escalateFrom = (db: Knex, at: Date) =>
    escalateAlerts({ db, config: config(), workspaces: oneWorkspace(notifier()), log }, at);
  const threadNotes = () => standIn.callsTo('chat.postMessage').filter((c) => c.args.thread_ts);
  const oncall = {
    to: [{ type: 'group' as const, id: 'S0ONCALL', handle: 'deliverability-oncall' }],
    afterMinutes: 30,
    everyMinutes: 60,
    maxRenotify: 2,
  };

  it('names the top three campaigns of the failures, with their share', async () => {
    await channel({});
    // 150 filtered (30007): 90 Black Friday, 45 Green Nov 27, 10 Retarget, 5 Quiet Campaign
    await seed(250, 150, 30007, { cmp_bf: 90, cmp_gn: 45, cmp_rt: 10, cmp_q2: 5 });
    expect((await evaluate(NOW)).opened).toBe(1);
    const parent = standIn.callsTo('chat.postMessage')[0]!;
    const section = JSON.stringify(parent.args.blocks);
    expect(section).toContain('*Driving it:* Black Friday MMS 60% · Green Nov 27 30% · Retarget 7%');
  });

  it('says what changed against the baseline: the failure rate split by campaign, rate and mix', async () => {
    await channel({});
    // two days ago: 400 Black Friday SMS to T-Mobile, 8 filtered (2 %)
    await seed(400, 8, 30007, { cmp_bf: 400 }, { at: min(-2 * 24 * 60), prefix: 'SMB' });
    // the window: Black Friday 150, all filtered; Quiet Campaign 100, all delivered: 60 %
    await seed(250, 150, 30007, { cmp_bf: 150 });
    expect((await evaluate(NOW)).opened).toBe(1);
    const [alert] = await liveAlerts(tdb.db, 'every channel');
    const change = (
      alert!.detail as {
        change: {
          delta_pts: number;
          contributions: Array<{ label: string; rate_pts: number; mix_pts: number; pts: number }>;
        };
      }
    ).change;
    // 2 % → 60 %: Black Friday's own rate ▲ 78.4 (its mean share 0.8 × 98 pts), its share fell
    // from 100 % to 60 % while it ran above the mean (▼ 8.0); the new, clean campaign's share ▼ 12.4
    expect(change.delta_pts).toBeCloseTo(58, 9);
    expect(
      change.contributions.map((c) => [c.label, +c.rate_pts.toFixed(6), +c.mix_pts.toFixed(6), +c.pts.toFixed(6)]),
    ).toEqual([
      ['Black Friday MMS', 78.4, -8, 70.4],
      ['Quiet Campaign', 0, -12.4, -12.4],
    ]);
    const parent = standIn.callsTo('chat.postMessage')[0]!;
    expect(JSON.stringify(parent.args.blocks)).toContain(
      '*What changed:* undelivered ▲ 58.0 pts against the last 7 days: *Black Friday MMS* ▲ 70.4',
    );
  });

  it('redraws a workspace’s Home once per pass, however many of its alerts changed', async () => {
    await channel({});
    await channel({}, 'C0SECOND'); // a second channel of the same workspace: a second alert
    await seed(250, 150, 30007, { cmp_bf: 150 });
    const told: Array<string | null> = [];
    const r = await evaluateAlerts(
      {
        db: tdb.db,
        config: config(),
        workspaces: oneWorkspace(notifier()),
        log,
        changed: async (a) => void told.push(a.teamId),
      },
      NOW,
    );
    expect(r.opened).toBe(2);
    expect(told).toEqual([null]);
  });

  it('escalates once per step across three instances and a restart, and stops on acknowledgement', async () => {
    await channel({ escalation: oncall });
    await seed(250, 150, 30007, { cmp_bf: 150 });
    expect((await evaluate(NOW)).opened).toBe(1);
    const [alert] = await liveAlerts(tdb.db, 'every channel');
    const all = (at: Date) => Promise.all([tdb.db, ...others].map((db) => escalateFrom(db, at)));

    expect((await all(min(29))).map((r) => r.escalated)).toEqual([0, 0, 0]);
    expect(threadNotes()).toHaveLength(0);
    // step 1 at 30 minutes: three instances at once, one note
    const step1 = await all(min(30));
    expect(step1.reduce((n, r) => n + r.escalated, 0)).toBe(1);
    expect(threadNotes().map((c) => c.args.text)).toEqual([
      'Escalated: Carrier-blocked spike — T-Mobile · SMS, open 30m (step 1 of 3).',
    ]);
    expect(JSON.stringify(threadNotes()[0]!.args.blocks)).toContain('<!subteam^S0ONCALL> Escalated');
    // the parent says so
    const parentEdit = standIn.callsTo('chat.update').at(-1)!;
    expect(JSON.stringify(parentEdit.args.blocks)).toContain(
      ':rotating_light: Escalated to <!subteam^S0ONCALL> at Nov 28 16:00 (UTC) (step 1 of 3)',
    );
    expect((await all(min(31))).reduce((n, r) => n + r.escalated, 0)).toBe(0);

    // a restart: a new "instance" with its own pool reads the steps back; step 2 at 90 minutes, once
    const restarted = createDb(loadConfig(tdb.env));
    try {
      const step2 = await Promise.all([restarted, ...others].map((db) => escalateFrom(db, min(90))));
      expect(step2.reduce((n, r) => n + r.escalated, 0)).toBe(1);
    } finally {
      await restarted.destroy();
    }
    expect(threadNotes().map((c) => c.args.text)).toEqual([
      'Escalated: Carrier-blocked spike — T-Mobile · SMS, open 30m (step 1 of 3).',
      'Still unacknowledged: Carrier-blocked spike — T-Mobile · SMS, open 1h30m (step 2 of 3).',
    ]);

    // acknowledged: step 3 (due at 150 minutes) never comes
    const acked = await actOnAlert(
      { db: tdb.db, notifier: notifier() },
      alert!.id,
      { type: 'ack' },
      'U0ANNA',
      min(100),
      'UTC',
      { teamId: null, channelId: CHANNEL },
    );
    expect(acked).toEqual({ ok: true });
    expect((await all(min(150))).reduce((n, r) => n + r.escalated, 0)).toBe(0);
    expect(threadNotes()).toHaveLength(3); // the two steps and the acknowledgement
    expect(threadNotes()[2]!.args.text).toBe('Acknowledged by <@U0ANNA>.');
  });

  it('re-posts a step whose instance died after claiming it, after two minutes, once', async () => {
    await channel({ escalation: { ...oncall, everyMinutes: null } });
    await seed(250, 150, 30007, { cmp_bf: 150 });
    await evaluate(NOW);
    const [alert] = await liveAlerts(tdb.db, 'every channel');
    // an instance claims step 1 at 30 minutes and dies before posting it
    expect(await claimEscalationSteps(tdb.db, [{ a: alert!, step: 1 }], 'deadpass', min(30))).toEqual(
      new Set([alert!.id]),
    );
    expect((await escalateFrom(tdb.db, min(31))).escalated).toBe(0);
    expect(threadNotes()).toHaveLength(0);
    const later = await Promise.all([tdb.db, ...others].map((db) => escalateFrom(db, min(32))));
    expect(later.reduce((n, r) => n + r.escalated, 0)).toBe(1);
    expect(threadNotes()).toHaveLength(1);
    expect((await getAlert(tdb.db, alert!.id))!.escalationPosted).toBe(1);
    expect((await escalateFrom(tdb.db, min(300))).escalated).toBe(0); // one step only (no renotify)
  });

  it('holds escalation steps in quiet hours (not severe), and posts the step then due when they end', async () => {
    await channel({ escalation: oncall });
    await seed(250, 150, 30007, { cmp_bf: 150 });
    await evaluate(NOW); // 15:30, before the quiet hours: posted
    await channel({ escalation: oncall, quiet: { start: '15:45', end: '17:30', zone: null } });
    for (const m of [30, 90]) expect((await escalateFrom(tdb.db, min(m))).escalated).toBe(0);
    expect(threadNotes()).toHaveLength(0);
    expect((await escalateFrom(tdb.db, min(120))).escalated).toBe(1); // 17:30
    expect(threadNotes().map((c) => c.args.text)).toEqual([
      'Escalated: Carrier-blocked spike — T-Mobile · SMS, open 2h (step 2 of 3).',
    ]);
  });

  it('holds an alert in quiet hours and posts one summary when they end, once across three instances', async () => {
    await channel({ quiet: { start: '15:00', end: '16:00', zone: null } });
    await seed(250, 150, 30007, { cmp_bf: 150 });
    const r = await evaluate(NOW);
    expect(r).toMatchObject({ opened: 0, held: 1 });
    expect(standIn.callsTo('chat.postMessage')).toHaveLength(0);
    // a held alert is not escalated, and evaluating again opens no second one
    expect((await evaluate(min(10))).held).toBe(0);

    const schedulers = [tdb.db, ...others].map(
      (db, i) =>
        new Scheduler(
          db,
          jobTable({ db, config: config(), workspaces: oneWorkspace(notifier()), log }),
          fixedClock(i === 0 ? min(29) : min(31)),
          log,
        ),
    );
    await schedulers[0]!.tick(JOB.quietSummaries); // 15:59: still quiet
    expect(standIn.callsTo('chat.postMessage')).toHaveLength(0);
    await Promise.all(schedulers.slice(1).map((s) => s.tick(JOB.quietSummaries))); // 16:01, twice at once
    const posts = standIn.callsTo('chat.postMessage');
    expect(posts.map((c) => String(c.args.text))).toEqual([
      'Quiet hours (15:00–16:00 UTC) are over: 1 alert was found and held; 1 still needs someone and follows below.',
      'Carrier-blocked spike — T-Mobile · SMS: 60.0% (threshold 5.0%). Open since Nov 28 15:30 (UTC).',
    ]);
    const [alert] = await liveAlerts(tdb.db, 'every channel');
    const parent = standIn.messages.find((m) => m.text.startsWith('Carrier-blocked spike'))!;
    expect(alert).toMatchObject({ held: false, messageTs: parent.ts });
    expect(alert!.postedAt).toEqual(min(31));
  });

  it('passes a severe alert through quiet hours (≥ 3× the threshold over ≥ 1,000 messages)', async () => {
    await channel({ quiet: { start: '15:00', end: '16:00', zone: null } });
    await seed(1200, 900, 30007, { cmp_bf: 900 });
    expect(await evaluate(NOW)).toMatchObject({ opened: 1, held: 0 });
    expect(standIn.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('posts what the incident cost when it is resolved', async () => {
    await channel({});
    await seed(250, 150, 30007, { cmp_bf: 120, cmp_gn: 30 });
    await evaluate(NOW);
    const [alert] = await liveAlerts(tdb.db, 'every channel');
    const deps = {
      db: tdb.db,
      notifier: notifier(),
      summary: { accounts: platformScope('benchmarks and tests'), segmentPrice: 0.03 },
    };
    const where = { teamId: null, channelId: CHANNEL };
    await actOnAlert(deps, alert!.id, { type: 'ack' }, 'U0ANNA', min(12), 'UTC', where);
    await actOnAlert(deps, alert!.id, { type: 'resolve' }, 'U0ANNA', min(95), 'UTC', where);
    const summary = threadNotes().at(-1)!;
    expect(summary.args.text).toBe(
      'Incident summary: Carrier-blocked spike — T-Mobile · SMS lasted 1h35m; 150 messages undelivered; $4.50 on undelivered segments.',
    );
    const text = (summary.args.blocks as Array<{ text: { text: string } }>)[0]!.text.text;
    expect(text.split('\n')).toEqual([
      '*Incident summary* · Carrier-blocked spike — T-Mobile · SMS',
      'Lasted *1h35m* (Nov 28 15:30 to Nov 28 17:05, UTC) · peak *60.0%* of 250',
      '*150* messages (150 segments) undelivered · *$4.50* spent on undelivered segments (150 × $0.03)',
      '*Reasons:* Carrier-blocked (filtered as spam) 150 (100%)',
      '*Campaigns:* Black Friday MMS 80% · Green Nov 27 20%',
      'Acknowledged by <@U0ANNA> at Nov 28 15:42, 12m after it was posted.',
      '_Counts cover the whole hours Nov 28 13:00–Nov 28 18:00, from the alert’s window before it opened to its end._',
    ]);
  });
});
