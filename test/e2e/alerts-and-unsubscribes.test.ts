import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { actOnAlert } from '../../src/alerts/alerts.service';
import { getAlert, liveAlerts, openAlert, setMessageTs } from '../../src/alerts/alerts.repository';
import { fixedClock } from '../../src/clock';
import { loadDemoData } from '../../src/demo/demo-data';
import { createLogger } from '../../src/logger';
import { webClientNotifier } from '../../src/messages/notifier';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { WebClient } from '@slack/web-api';
import { ENGINES, truncateAll } from '../helpers/databases';
import { getJson, message, postJson, startTestApp, type TestApp } from '../helpers/app';
import {
  blockActionBody,
  blockTexts,
  BOT_TOKEN,
  postSlack,
  SIGNING_SECRET,
  slackHeaders,
  waitForCalls,
} from '../helpers/slack';

const ALERTS = 'C2147483705'; // the fixtures' channel
const NOW = new Date('2026-11-28T15:30:00Z');

describe.each(ENGINES)('alerts and auto-unsubscribe, end to end (%s)', (engine) => {
  let standIn: SlackStandIn;
  let t: TestApp;
  beforeAll(async () => {
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      users: [
        { id: 'U2147483697', name: 'steve', isAdmin: true },
        { id: 'U0ANNA', name: 'anna' },
      ],
    }).start();
    t = await startTestApp(
      engine,
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standIn.apiUrl,
        ALERT_CHANNEL: ALERTS,
        CHART_RENDERER: 'none',
      },
      NOW,
    );
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });

  describe('on the demo data', () => {
    let incidentDay: string;
    beforeAll(async () => {
      await truncateAll(t.tdb.db);
      standIn.reset();
      const summary = await loadDemoData(t.tdb.db, { seed: 42, days: 21, now: NOW, mmsSegments: 1 });
      incidentDay = summary.incidentDay;
    }, 240_000);

    it('alerts on the seeded carrier-filtering incident, and on none of the normal campaign days', async () => {
      const clock = fixedClock(NOW);
      const scheduler = createScheduler(t.config, t.tdb.db, clock, createLogger('silent'));
      // an hour after every campaign hour (16:00–20:00 UTC) of the days up to the incident evening
      const incidentEvening = new Date(`${incidentDay}T21:00:00Z`);
      for (let d = 20; d >= 1; d--) {
        for (const h of [17, 18, 19, 21]) {
          const at = new Date(Date.UTC(2026, 10, 28 - d, h, 0));
          if (at > incidentEvening) continue;
          clock.set(at);
          await scheduler.tick('alerts');
        }
      }
      const alerts = standIn.callsTo('chat.postMessage').filter((c) => c.ok && !c.args.thread_ts);
      expect(alerts.map((c) => c.args.text)).toEqual([
        expect.stringMatching(
          /^Carrier-blocked spike — T-Mobile · SMS: \d+\.\d% \(threshold \d+\.\d%\)\. Open since \w{3} \d+ \d\d:\d\d \(UTC\)\.$/,
        ),
      ]);
      const live = await liveAlerts(t.tdb.db, 'every channel');
      expect(live.map((a) => [a.kind, a.scope.carrier, a.scope.type, a.state, a.openedAt.toISOString()])).toEqual([
        ['undelivered', 'T-Mobile', 'sms', 'open', incidentEvening.toISOString()],
      ]); // its reason mix: carrier filtering (30007) is most of it, hence the title
      const body = blockTexts(standIn.find(live[0]!.messageTs!)!.blocks)[1]!;
      expect(body).toMatch(/\n\*Why:\* Carrier-blocked \(filtered as spam\) \d+ \(\d+%\)/);
      expect(body).toContain('_The carrier filtered the content: remove shortened links');
    });

    it('acknowledges through the button: the parent shows who, the thread logs it; a second click changes nothing', async () => {
      const [alert] = await liveAlerts(t.tdb.db, 'every channel');
      const parent = standIn.find(alert!.messageTs!)!;
      const ackButton = (parent.blocks.find((b: any) => b.type === 'actions') as any).elements[0];
      const before = standIn.callsTo('response_url').length;
      await postSlack(
        t.base,
        blockActionBody(
          standIn,
          parent.ts,
          { ...ackButton, block_id: `alert_actions:${alert!.id}` },
          { ephemeral: false },
        ),
      );
      await waitForCalls(standIn, 'chat.update', 1);
      expect(blockTexts(parent.blocks)).toContainEqual(
        expect.stringMatching(/^:large_orange_circle: \*Acknowledged\* by <@U2147483697> at /),
      );
      expect(standIn.messages.filter((m) => m.threadTs === parent.ts).map((m) => m.text)).toEqual([
        'Acknowledged by <@U2147483697>.',
      ]);
      await postSlack(
        t.base,
        blockActionBody(
          standIn,
          parent.ts,
          { ...ackButton, block_id: `alert_actions:${alert!.id}` },
          { ephemeral: false },
        ),
      );
      const calls = await waitForCalls(standIn, 'response_url', before + 1);
      expect(calls.at(-1)!.args.text).toBe('Nothing changed: it was already acknowledged by <@U2147483697>.');
      expect(standIn.messages.filter((m) => m.threadTs === parent.ts)).toHaveLength(1);
    });

    it('resolves itself once the rate has stayed back down for an hour, and alerts on nothing after', async () => {
      const [alert] = await liveAlerts(t.tdb.db, 'every channel');
      const clock = fixedClock(new Date(`${incidentDay}T21:00:00Z`));
      const scheduler = createScheduler(t.config, t.tdb.db, clock, createLogger('silent'));
      for (let i = 0; i < 24 * 11; i++) {
        clock.advance(3600_000);
        if (clock.now() > NOW) break;
        await scheduler.tick('alerts');
      }
      const parent = standIn.find(alert!.messageTs!)!;
      const thread = standIn.messages.filter((m) => m.threadTs === parent.ts).map((m) => m.text);
      expect(thread).toEqual([
        'Acknowledged by <@U2147483697>.',
        expect.stringMatching(/^Resolved automatically: /),
        'Incident summary: Carrier-blocked spike — T-Mobile · SMS lasted 3h; 84 messages undelivered; $2.52 on undelivered segments.',
      ]);
      expect(blockTexts(parent.blocks)).toContainEqual(
        expect.stringMatching(/^:large_green_circle: \*Resolved\* automatically .* · acknowledged by <@U2147483697>$/),
      );
      expect(standIn.callsTo('chat.postMessage').filter((c) => c.ok && !c.args.thread_ts)).toHaveLength(1);
      expect(await liveAlerts(t.tdb.db, 'every channel')).toEqual([]);
    });

    it('ends a race between a resolve and a snooze in one state, one thread message each', async () => {
      const notifier = webClientNotifier(new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl }));
      const alert = (await openAlert(
        t.tdb.db,
        {
          teamId: null,
          channelId: ALERTS,
          kind: 'unreachable',
          scopeKey: 'x',
          scope: { carrier: 'AT&T', type: 'mms', accountId: null },
          rate: 0.2,
          baseline: 0.03,
          threshold: 0.06,
          volume: 400,
        },
        NOW,
      ))!;
      await setMessageTs(t.tdb.db, alert.id, await notifier.post({ channel: ALERTS, text: 'alert', blocks: [] }), NOW);
      const deps = { db: t.tdb.db, config: t.config, notifier };
      const [resolve, snooze] = await Promise.all([
        actOnAlert(deps, alert.id, { type: 'resolve' }, 'U0ANNA', NOW, 'UTC', { teamId: null, channelId: ALERTS }),
        actOnAlert(deps, alert.id, { type: 'snooze', hours: 4 }, 'U2147483697', NOW, 'UTC', {
          teamId: null,
          channelId: ALERTS,
        }),
      ]);
      const ts = (await getAlert(t.tdb.db, alert.id))!.messageTs!;
      const parent = standIn.find(ts)!;
      const thread = standIn.messages.filter((m) => m.threadTs === ts).map((m) => m.text);
      expect(resolve.ok).toBe(true);
      if (snooze.ok) expect(thread).toEqual(['Snoozed for 4h by <@U2147483697>.', 'Resolved by <@U0ANNA>.']);
      else {
        expect(snooze.message).toBe('Nothing changed: it was already resolved by <@U0ANNA>.');
        expect(thread).toEqual(['Resolved by <@U0ANNA>.']);
      }
      expect(blockTexts(parent.blocks)).toContainEqual(
        expect.stringMatching(/^:large_green_circle: \*Resolved\* by <@U0ANNA> at /),
      );
      expect(parent.blocks.some((b: any) => b.type === 'actions')).toBe(false);
      expect((await getAlert(t.tdb.db, alert.id))!.state).toBe('resolved');
    });
  });

  it('acknowledges when someone replies `ack` in the alert’s thread', async () => {
    const notifier = webClientNotifier(new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl }));
    const alert = (await openAlert(
      t.tdb.db,
      {
        teamId: null,
        channelId: ALERTS,
        kind: 'undelivered',
        scopeKey: 'ack-thread',
        scope: { carrier: 'Verizon', type: 'sms', accountId: null },
        rate: 0.2,
        baseline: 0.02,
        threshold: 0.05,
        volume: 300,
      },
      NOW,
    ))!;
    const ts = await notifier.post({ channel: ALERTS, text: 'alert', blocks: [] });
    await setMessageTs(t.tdb.db, alert.id, ts, NOW);
    const event = {
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A123456',
      type: 'event_callback',
      event_id: 'Ev0ACK',
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T0001', user_id: 'U0BOT', is_bot: true }],
      event: {
        type: 'message',
        channel: ALERTS,
        channel_type: 'channel',
        user: 'U2147483697',
        text: 'ack',
        ts: `${Math.floor(Date.now() / 1000)}.000200`,
        thread_ts: ts,
      },
    };
    const body = JSON.stringify(event);
    const updates = standIn.callsTo('chat.update').length;
    expect((await postSlack(t.base, body, slackHeaders(body, { contentType: 'application/json' }))).status).toBe(200);
    await waitForCalls(standIn, 'chat.update', updates + 1);
    expect((await getAlert(t.tdb.db, alert.id))!.state).toBe('acknowledged');
    expect(standIn.messages.filter((m) => m.threadTs === ts).map((m) => m.text)).toEqual([
      'Acknowledged by <@U2147483697>.',
    ]);
  });

  describe('auto-unsubscribe (7 failed campaigns in a row)', () => {
    const sid = (n: number, c: number) => `SM${String(n).padStart(16, '0')}${String(c).padStart(16, '0')}`;
    const phone = (n: number) => `+1720555${String(1000 + n)}`;
    async function campaigns(plan: Record<number, string[]>) {
      const records = Object.entries(plan).flatMap(([n, statuses]) =>
        statuses.map((status, c) =>
          message({
            provider_message_id: sid(Number(n), c),
            to: phone(Number(n)),
            campaign_id: `cmp_${c}`,
            campaign_name: `Campaign ${c}`,
            carrier: 'Verizon',
            status,
            error_code: status === 'undelivered' ? 30003 : null,
            sent_at: new Date(Date.UTC(2026, 10, 1 + c * 2, 18)).toISOString(),
          }),
        ),
      );
      for (let i = 0; i < records.length; i += 1000)
        expect((await postJson(t.base, '/api/v1/messages', { messages: records.slice(i, i + 1000) })).status).toBe(200);
    }

    it('unsubscribes exactly the numbers at 7, not those at 6 or with a delivery after 6, and announces them masked', async () => {
      await truncateAll(t.tdb.db);
      standIn.reset();
      const U = 'undelivered';
      const D = 'delivered_confirmed';
      await campaigns({
        1: [U, U, U, U, U, U, U], // 7 in a row
        2: [D, U, U, U, U, U, U], // 6 in a row: at risk
        3: [U, U, U, U, U, U, D], // 6 then a delivery
        4: [U, U, U, U, U, U, U, U], // 8
        5: ['ignored', U, U, U, U, U, U], // the ignored campaign does not count: 6
      });
      const clock = fixedClock(NOW);
      await createScheduler(t.config, t.tdb.db, clock, createLogger('silent')).tick('auto-unsubscribe');
      const subs = await t.tdb
        .db('subscribers')
        .select('phone', 'subscribed', 'unsubscribe_reason', 'fail_streak')
        .orderBy('phone');
      expect(
        subs.map((s: any) => [s.phone, Boolean(s.subscribed), s.unsubscribe_reason, Number(s.fail_streak)]),
      ).toEqual([
        [phone(1), false, 'auto', 7],
        [phone(2), true, null, 6],
        [phone(3), true, null, 0],
        [phone(4), false, 'auto', 7],
        [phone(5), true, null, 6],
      ]);
      const feed = await getJson(t.base, '/api/v1/unsubscribes');
      expect(feed.body.unsubscribes.map((u: any) => [u.phone, u.event, u.reason])).toEqual([
        [phone(1), 'unsubscribed', 'auto'],
        [phone(4), 'unsubscribed', 'auto'],
      ]);
      const parent = standIn.messages.find((m) => m.channel === ALERTS && !m.threadTs)!;
      expect(parent.text).toBe('2 numbers were auto-unsubscribed after 7 failed campaigns in a row.');
      const listed = standIn.messages
        .filter((m) => m.threadTs === parent.ts)
        .flatMap((m) => blockTexts(m.blocks).filter((x) => x.startsWith('•••')));
      expect(listed).toEqual([
        '•••1001 · Verizon · Green Leaf Denver · 7 failed campaigns (handset unreachable)',
        '•••1004 · Verizon · Green Leaf Denver · 7 failed campaigns (handset unreachable)',
      ]);
      expect(JSON.stringify(standIn.messages)).not.toContain('+1720555');

      // running again changes nothing
      clock.advance(3600_000);
      await createScheduler(t.config, t.tdb.db, clock, createLogger('silent')).tick('auto-unsubscribe');
      expect(standIn.messages.filter((m) => m.channel === ALERTS && !m.threadTs)).toHaveLength(1);

      // a later delivery to the at-risk number ends its run (the next run sees it: incremental)
      await postJson(t.base, '/api/v1/messages', {
        messages: [
          message({
            provider_message_id: sid(2, 99),
            to: phone(2),
            campaign_id: 'cmp_99',
            carrier: 'Verizon',
            status: 'delivered_confirmed',
            sent_at: '2026-11-26T18:00:00Z',
          }),
        ],
      });
      clock.advance(3600_000);
      await createScheduler(t.config, t.tdb.db, clock, createLogger('silent')).tick('auto-unsubscribe');
      expect(
        Number(
          (
            await t.tdb
              .db('subscribers')
              .first('fail_streak')
              .where({ phone: phone(2) })
          ).fail_streak,
        ),
      ).toBe(0);
    });

    it('restores an auto-unsubscribe from Slack, and refuses once the customer has replied STOP', async () => {
      const thread = standIn.messages.find((m) => m.threadTs && m.blocks.length)!;
      const parent = standIn.messages.find((m) => m.ts === thread.threadTs)!;
      expect(blockTexts(parent.blocks)[0]).toBe('2 numbers auto-unsubscribed');
      const buttons = thread.blocks.map((b: any) => b.accessory);
      const click = (button: any, blockId: string) =>
        postSlack(
          t.base,
          blockActionBody(
            standIn,
            thread.ts,
            { ...button, block_id: blockId },
            { ephemeral: false, threadTs: thread.threadTs! },
          ),
        );
      await click(buttons[0], 'r1');
      await waitForCalls(standIn, 'chat.postMessage', standIn.callsTo('chat.postMessage').length + 1);
      expect(standIn.messages.at(-1)!.text).toBe('•••1001 restored by <@U2147483697>: it will get messages again.');
      expect(standIn.messages.at(-1)!.threadTs).toBe(thread.threadTs);
      // the row is redrawn as restored (no button), the parent's count updated
      expect((thread.blocks[0] as any).accessory).toBeUndefined();
      expect(blockTexts([thread.blocks[0]])[0]).toMatch(
        /^~•••1001 · Verizon · Green Leaf Denver · 7 failed campaigns \(handset unreachable\)~ · :leftwards_arrow_with_hook: restored by <@U2147483697>$/,
      );
      expect((thread.blocks[1] as any).accessory.action_id).toBe('unsub_restore');
      expect(blockTexts(parent.blocks)[0]).toBe('2 numbers auto-unsubscribed · 1 restored since');
      // a second click on a stale copy of the row is answered privately, in the thread
      const ephemerals = standIn.callsTo('chat.postEphemeral').length;
      await click(buttons[0], 'r1');
      const again = await waitForCalls(standIn, 'chat.postEphemeral', ephemerals + 1);
      expect(again.at(-1)!.args).toMatchObject({
        thread_ts: thread.threadTs,
        user: 'U2147483697',
        text: '•••1001 is already subscribed.',
      });
      // number 4 replies STOP after its auto-unsubscribe
      await postJson(t.base, '/api/v1/subscription-events', {
        events: [
          { account_id: 'acct_1', phone: phone(4), event: 'unsubscribed', reason: 'stop', at: '2026-11-28T16:00:00Z' },
        ],
      });
      const before = standIn.callsTo('chat.postEphemeral').length;
      await click(buttons[1], 'r2');
      const calls = await waitForCalls(standIn, 'chat.postEphemeral', before + 1);
      expect(calls.at(-1)!.args.text).toBe(
        "•••1004 can't be restored: the customer unsubscribed themselves (replied STOP) after the auto-unsubscribe.",
      );
      expect(calls.at(-1)!.args.thread_ts).toBe(thread.threadTs);
      const feed = await getJson(t.base, '/api/v1/unsubscribes');
      expect(feed.body.unsubscribes.map((u: any) => [u.phone, u.event, u.reason])).toEqual([
        [phone(1), 'unsubscribed', 'auto'],
        [phone(4), 'unsubscribed', 'auto'],
        [phone(1), 'restored', 'auto'],
        [phone(4), 'unsubscribed', 'stop'],
      ]);
    });
  });
});
