import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { createLogger } from '../../src/logger';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { ENGINES } from '../helpers/databases';
import { message, postJson, startTestApp, type TestApp } from '../helpers/app';
import {
  blockActionBody,
  BOT_TOKEN,
  postSlack,
  SIGNING_SECRET,
  slackHeaders,
  slashCommandBody,
  waitForCalls,
} from '../helpers/slack';

/**
 * Issue 19 end to end, the way Slack talks to the app: the channel sets escalation to a user
 * group by its handle, a spike opens an alert, nobody acknowledges it and it escalates, the
 * person on call acknowledges it from the Home tab, and resolving it posts what it cost.
 */
const CHANNEL = 'C2147483705'; // the fixtures' channel
const ADMIN = 'U2147483697'; // the fixtures' user
const NOW = new Date('2026-11-28T15:30:00Z');
const at = (m: number) => new Date(NOW.getTime() + m * 60_000);

describe.each(ENGINES)('an alert finds its owner, end to end (%s)', (engine) => {
  let standIn: SlackStandIn;
  let t: TestApp;
  beforeAll(async () => {
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      users: [{ id: ADMIN, name: 'steve', isAdmin: true }],
      usergroups: [{ id: 'S0ONCALL', handle: 'deliverability-oncall' }],
    }).start();
    t = await startTestApp(
      engine,
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standIn.apiUrl,
        CHART_RENDERER: 'none',
      },
      NOW,
    );
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });

  async function command(text: string) {
    const before = standIn.callsTo('response_url').length;
    expect((await postSlack(t.base, slashCommandBody(standIn, text))).status).toBe(200);
    const [call] = (await waitForCalls(standIn, 'response_url', before + 1)).slice(before);
    return String(call!.args.text);
  }
  const tick = (job: string, when: Date) =>
    createScheduler(t.config, t.tdb.db, fixedClock(when), createLogger('silent')).tick(job);

  it('escalates to @deliverability-oncall, is acknowledged from Home, and summarises when resolved', async () => {
    expect(await command('alerts on')).toMatch(/^:white_check_mark: Spike alerts/);
    expect(await command('alerts escalate after 30m to @nobody-here')).toBe(
      'No user group or person called @nobody-here in this workspace. Name a user group by its handle (like @deliverability-oncall), or people by their usernames.',
    );
    expect(await command('alerts escalate after 30m to @deliverability-oncall')).toBe(
      ':rotating_light: An alert nobody acknowledges is escalated here to <!subteam^S0ONCALL> after 30m unacknowledged. Acknowledge, snooze or resolve stops it.',
    );
    expect(await command('alerts renotify every 1h up to 2')).toBe(
      ':rotating_light: An alert nobody acknowledges is escalated here to <!subteam^S0ONCALL> after 30m unacknowledged, then every 1h (up to 2 more times). Acknowledge, snooze or resolve stops it.',
    );
    // 250 T-Mobile SMS of two campaigns 45 minutes ago: 150 filtered by the carrier (30007)
    const records = Array.from({ length: 250 }, (_, i) =>
      message({
        provider_message_id: `SME${String(i).padStart(31, '0')}`,
        to: `+1720555${String(4000 + i)}`,
        carrier: 'T-Mobile',
        segments: 1,
        campaign_id: i < 100 ? 'cmp_bf' : 'cmp_gn',
        campaign_name: i < 100 ? 'Black Friday MMS' : 'Green Nov 27',
        status: i < 150 ? 'undelivered' : 'delivered_confirmed',
        error_code: i < 150 ? 30007 : null,
        sent_at: at(-45).toISOString(),
      }),
    );
    expect((await postJson(t.base, '/api/v1/messages', { messages: records })).status).toBe(200);

    await tick('alerts', NOW);
    const parent = standIn.messages.find((m) => m.channel === CHANNEL && m.text.startsWith('Carrier-blocked spike'))!;
    expect(JSON.stringify(parent.blocks)).toContain('*Driving it:* Black Friday MMS 67% · Green Nov 27 33%');

    await tick('escalations', at(29));
    await tick('escalations', at(30));
    await tick('escalations', at(31));
    const notes = () => standIn.messages.filter((m) => m.threadTs === parent.ts).map((m) => m.text);
    expect(notes()).toEqual(['Escalated: Carrier-blocked spike — T-Mobile · SMS, open 30m (step 1 of 3).']);
    expect(JSON.stringify(parent.blocks)).toContain(
      'Escalated to <!subteam^S0ONCALL> at Nov 28 16:00 (UTC) (step 1 of 3)',
    );

    // the person on call opens Home and acknowledges it there
    const event = JSON.stringify({
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0KRD7HC3',
      type: 'event_callback',
      event_id: 'Ev0HOME1',
      event_time: 1764343800,
      event: { type: 'app_home_opened', user: ADMIN, channel: 'D0HOME', tab: 'home', event_ts: '1764343800.000100' },
    });
    expect((await postSlack(t.base, event, slackHeaders(event, { contentType: 'application/json' }))).status).toBe(200);
    await waitForCalls(standIn, 'views.publish', 1);
    const home = JSON.stringify(standIn.views.get(ADMIN));
    expect(home).toContain('Open alerts (1)');
    expect(home).toContain('· escalated');
    expect(home).toContain(
      'escalates to <!subteam^S0ONCALL> after 30m unacknowledged, then every 1h (up to 2 more times)',
    );
    const alertId = Number(/alert_actions:(\d+)/.exec(home)![1]);
    const payload = {
      type: 'block_actions',
      user: { id: ADMIN, username: 'steve', name: 'steve', team_id: 'T0001' },
      api_app_id: 'A0KRD7HC3',
      token: 'x',
      container: { type: 'view', view_id: 'V0HOME' },
      trigger_id: '1.2.3',
      team: { id: 'T0001', domain: 'example' },
      view: { id: 'V0HOME', type: 'home', blocks: [] },
      actions: [
        {
          type: 'button',
          action_id: 'alert_ack',
          block_id: `alert_actions:${alertId}`,
          value: String(alertId),
          action_ts: '1764345600.000100',
        },
      ],
    };
    t.clock.set(at(40));
    expect((await postSlack(t.base, new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(
      200,
    );
    await waitForCalls(standIn, 'views.publish', 2);
    expect(notes().at(-1)).toBe(`Acknowledged by <@${ADMIN}>.`);
    expect(JSON.stringify(standIn.views.get(ADMIN))).toContain(`Acknowledged by <@${ADMIN}>`);
    // no step 2: it was acknowledged
    await tick('escalations', at(91));
    expect(notes()).toHaveLength(2);

    // resolved from the alert's own button: the thread gets what it cost
    t.clock.set(at(70));
    const before = standIn.messages.length;
    expect(
      (
        await postSlack(
          t.base,
          blockActionBody(
            standIn,
            parent.ts,
            {
              type: 'button',
              action_id: 'alert_resolve',
              block_id: `alert_actions:${alertId}`,
              value: String(alertId),
            },
            { ephemeral: false },
          ),
        )
      ).status,
    ).toBe(200);
    for (let i = 0; i < 100 && !notes().some((n) => n.startsWith('Incident summary')); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(standIn.messages.length).toBeGreaterThan(before);
    expect(notes().slice(2)).toEqual([
      `Resolved by <@${ADMIN}>.`,
      'Incident summary: Carrier-blocked spike — T-Mobile · SMS lasted 1h10m; 150 messages undelivered; $4.50 on undelivered segments.',
    ]);
    // Home's "Last 7 days": the 7-day answer in a direct message to whoever clicked
    const seven = {
      ...payload,
      actions: [
        {
          type: 'button',
          action_id: 'home_stats_7d',
          block_id: 'home_stats',
          value: '7d',
          action_ts: '1764345700.000100',
        },
      ],
    };
    expect((await postSlack(t.base, new URLSearchParams({ payload: JSON.stringify(seven) }).toString())).status).toBe(
      200,
    );
    await waitForCalls(standIn, 'conversations.open', 1);
    for (let i = 0; i < 100 && !standIn.messages.some((m) => m.channel.startsWith('D') && m.text.includes('250')); i++)
      await new Promise((r) => setTimeout(r, 50));
    const dm = standIn.messages.filter((m) => m.channel === `D${ADMIN.slice(1)}`);
    expect(dm).toHaveLength(1);
    expect(dm[0]!.text).toBe(
      'Campaign stats · Last 7 days (Nov 22 – Nov 28, 2026, UTC): 250 segments, delivery rate 40.0%. Queued 0, Failed 0, Ignored 0, Unreachable 0, Undelivered 150, Delivery (Unconfirmed) 0, Delivery (Confirmed) 100.',
    );
    const summary = standIn.messages.find((m) => m.text.startsWith('Incident summary'))!;
    expect(JSON.stringify(summary.blocks)).toContain(
      'Acknowledged by <@U2147483697> at Nov 28 16:10, 40m after it was posted (after escalation).',
    );
    expect(JSON.stringify(summary.blocks)).toContain('*Campaigns:* Black Friday MMS 67% · Green Nov 27 33%');
  });
});
