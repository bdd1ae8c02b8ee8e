import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { runCli } from '../../src/cli';
import { fixedClock } from '../../src/clock';
import { liveAlerts } from '../../src/alerts/alerts.repository';
import { createLogger } from '../../src/logger';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { ENGINES } from '../helpers/databases';
import { message, postJson, startTestApp, type TestApp } from '../helpers/app';
import {
  blockActionBody,
  blockTexts,
  BOT_TOKEN,
  postSlack,
  SIGNING_SECRET,
  slashCommandBody,
  waitForCalls,
} from '../helpers/slack';

/** A toll-free number not verified yet (30032): the sender-problem alert, and the why view. */
const ALERTS = 'C2147483705';
const NOW = new Date('2026-11-28T15:30:00Z');

describe.each(ENGINES)('sender problems (%s)', (engine) => {
  let standIn: SlackStandIn;
  let t: TestApp;
  beforeAll(async () => {
    standIn = await new SlackStandIn({ token: BOT_TOKEN }).start();
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
    const messages = Array.from({ length: 150 }, (_, i) =>
      message({
        provider_message_id: `SMP${String(i).padStart(30, '0')}`,
        to: `+1303555${String(3000 + i)}`,
        campaign_id: 'cmp_tf',
        campaign_name: 'Toll-free launch',
        carrier: ['Verizon', 'AT&T', 'T-Mobile'][i % 3],
        status: i < 60 ? 'failed' : 'delivered_confirmed',
        error_code: i < 60 ? 30032 : null,
        sent_at: '2026-11-28T14:50:00Z',
      }),
    );
    expect((await postJson(t.base, '/api/v1/messages', { messages })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });

  it('fires a sender-problem alert, with its reason and advice, and acknowledges it like any alert', async () => {
    await createScheduler(t.config, t.tdb.db, fixedClock(NOW), createLogger('silent')).tick('alerts');
    const posted = standIn.callsTo('chat.postMessage').filter((c) => c.ok && !c.args.thread_ts);
    expect(posted.map((c) => c.args.text)).toEqual([
      'Sender problem — All carriers: 40.0% (threshold 3.0%). Open since Nov 28 15:30 (UTC).',
    ]);
    const [alert] = await liveAlerts(t.tdb.db, 'every channel');
    expect(alert!.kind).toBe('sender_problem');
    const parent = standIn.find(alert!.messageTs!)!;
    expect(blockTexts(parent.blocks)[1]).toContain('*Why:* Sender not registered or verified 60 (100%)');
    const ack = (parent.blocks.find((b: any) => b.type === 'actions') as any).elements[0];
    await postSlack(
      t.base,
      blockActionBody(standIn, parent.ts, { ...ack, block_id: `alert_actions:${alert!.id}` }, { ephemeral: false }),
    );
    await waitForCalls(standIn, 'chat.update', 1);
    expect((await liveAlerts(t.tdb.db, 'every channel'))[0]!.state).toBe('acknowledged');
  });

  it('explains the failures with /campaign-stats why, and stats --json lists the reasons', async () => {
    standIn.reset();
    await postSlack(t.base, slashCommandBody(standIn, 'why 7d'));
    await waitForCalls(standIn, 'response_url', 1);
    const texts = blockTexts(standIn.messages.at(-1)!.blocks);
    expect(texts[0]).toBe('Why messages failed · Last 7 days');
    expect(texts).toContain(
      '*The sender (registration, limits, the account)* · 100.0%\n• *Sender not registered or verified* (Failed) — 60 msgs, 120 seg, 100.0% of failures\n   _The sending number is not registered (A2P 10DLC) or verified (toll-free): finish registration before sending again._',
    );
    const out: string[] = [];
    expect(
      await runCli(
        ['stats', '7d', '--json'],
        t.tdb.env,
        { out: (s) => out.push(s), err: (s) => out.push(s) },
        fixedClock(NOW),
      ),
    ).toBe(0);
    expect(JSON.parse(out[0]!).reasons).toEqual([
      {
        status: 'failed',
        reason: 'sender_unregistered',
        label: 'Sender not registered or verified',
        attribution: 'sender',
        segments: 120,
        messages: 60,
      },
    ]);
  });
});
