import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { runCli } from '../../src/cli';
import { fixedClock } from '../../src/clock';
import { postDigest } from '../../src/digests/digest.service';
import { createLogger } from '../../src/logger';
import { getChannelSettings } from '../../src/settings/channel-settings.repository';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { installedWorkspaceAuth } from '../../src/workspaces/workspace-auth';
import { workspaceDirectory } from '../../src/workspaces/workspace-directory';
import { knexInstallationStore } from '../../src/workspaces/installation.store';
import { tokenCipher } from '../../src/workspaces/token-crypto';
import { ENGINES } from '../helpers/databases';
import { message, postJson, startTestApp, type TestApp } from '../helpers/app';
import { blockTexts, BOT_TOKEN, postSlack, SIGNING_SECRET, slackHeaders, waitForCalls } from '../helpers/slack';

/**
 * Distribution: two merchants and the platform's deliverability team install the app through
 * /slack/install → /slack/oauth_redirect against the Slack stand-in, are linked with codes from
 * the API, and each surface is checked: merchant A never sees merchant B's data, the operator
 * sees both, and every post goes out with the token of the workspace it goes to.
 */
const NOW = new Date('2026-11-28T15:30:00Z');
const OAUTH = { clientId: '111.222', clientSecret: 'client-secret-0123456789' };
const KEY = `${'k'.repeat(16)}token-encryption-key-0123456789`;
const A = { team: 'TGREEN01', name: 'Green Leaf Denver', channel: 'CGREEN01', admin: 'UGREEN01', member: 'UGREEN02' };
const B = { team: 'TSUNSET1', name: 'Sunset Dispensary', channel: 'CSUNSET1', admin: 'USUNSET1', member: 'USUNSET2' };
const OPS = {
  team: 'TPLATFRM',
  name: 'Platform deliverability',
  channel: 'CPLATFRM',
  admin: 'UPLATFRM',
  member: 'UPLATFR2',
};
type Ws = typeof A;

describe.each(ENGINES)('many workspaces, each seeing only its own accounts (%s)', (engine) => {
  let standIn: SlackStandIn;
  let t: TestApp;
  const clock = () => t.clock;

  beforeAll(async () => {
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      oauth: OAUTH,
      workspaces: [A, B, OPS].map((w) => ({
        teamId: w.team,
        name: w.name,
        token: null,
        channels: [{ id: w.channel, name: 'marketing' }],
        users: [
          { id: w.admin, name: 'admin', isAdmin: true },
          { id: w.member, name: 'member' },
        ],
      })),
    }).start();
    t = await startTestApp(
      engine,
      {
        SLACK_CLIENT_ID: OAUTH.clientId,
        SLACK_CLIENT_SECRET: OAUTH.clientSecret,
        SLACK_STATE_SECRET: 'state-secret-0123456789',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        TOKEN_ENCRYPTION_KEY: KEY,
        SLACK_API_URL: standIn.apiUrl,
        CHART_RENDERER: 'none',
      },
      NOW,
    );
    // A: Green Leaf, 3 Verizon SMS; B: Sunset, 5 Cricket SMS of 2 segments, then an incident on T-Mobile
    const m = (i: number, o: Record<string, unknown>) =>
      message({ provider_message_id: `SMW${String(i).padStart(30, '0')}`, to: `+1303555${String(2000 + i)}`, ...o });
    const a = [0, 1, 2].map((i) =>
      m(i, {
        account_id: 'acct_a',
        account_name: A.name,
        campaign_id: 'cmp_a1',
        campaign_name: 'Green Friday',
        carrier: 'Verizon',
        segments: 1,
        status: 'delivered_confirmed',
        sent_at: '2026-11-25T18:00:00Z',
      }),
    );
    const b = [10, 11, 12, 13, 14].map((i) =>
      m(i, {
        account_id: 'acct_b',
        account_name: B.name,
        campaign_id: 'cmp_b1',
        campaign_name: 'Sunset Secret Sale',
        carrier: 'Cricket',
        segments: 2,
        status: 'delivered_confirmed',
        sent_at: '2026-11-25T18:00:00Z',
      }),
    );
    const incident = Array.from({ length: 250 }, (_, i) =>
      m(100 + i, {
        account_id: 'acct_b',
        account_name: B.name,
        campaign_id: 'cmp_b2',
        campaign_name: 'Sunset Flash',
        carrier: 'T-Mobile',
        segments: 1,
        status: i < 150 ? 'undelivered' : 'delivered_confirmed',
        error_code: i < 150 ? 30007 : null,
        sent_at: '2026-11-28T14:45:00Z',
      }),
    );
    for (const batch of [[...a, ...b], incident])
      expect((await postJson(t.base, '/api/v1/messages', { messages: batch })).status).toBe(200);
    // numbers at risk in each account
    await t.tdb.db('subscribers').where({ phone: '+13035552000' }).update({ fail_streak: 5 });
    await t.tdb.db('subscribers').where({ phone: '+13035552010' }).update({ fail_streak: 6 });
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });

  async function install(w: Ws) {
    const page = await fetch(`${t.base}/slack/install`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const authorize = /href="([^"]*oauth\/v2\/authorize[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(authorize).toBeTruthy();
    const url = new URL(authorize!);
    expect(url.searchParams.get('client_id')).toBe(OAUTH.clientId);
    expect(url.searchParams.get('scope')).toContain('channels:join');
    const state = url.searchParams.get('state')!;
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const code = standIn.approveInstall(w.team, w.admin);
    const done = await fetch(
      `${t.base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
      { headers: { cookie } },
    );
    expect(done.status).toBe(200);
    expect(standIn.tokenOf(w.team)).toMatch(/^xoxb-/);
  }

  async function command(w: Ws, text: string, user = w.admin) {
    const before = standIn.callsTo('response_url').length;
    const body = new URLSearchParams({
      token: 'x',
      team_id: w.team,
      team_domain: 'example',
      channel_id: w.channel,
      channel_name: 'marketing',
      user_id: user,
      user_name: 'someone',
      command: '/campaign-stats',
      text,
      response_url: standIn.commandResponseUrl(w.channel, user),
      trigger_id: '1.2.3',
      api_app_id: 'A0KRD7HC3',
    }).toString();
    expect((await postSlack(t.base, body)).status).toBe(200);
    await waitForCalls(standIn, 'response_url', before + 1);
    return standIn.messages.filter((m) => m.channel === w.channel && m.visibleTo === user).at(-1)!;
  }

  async function click(
    w: Ws,
    ts: string,
    action: Record<string, unknown>,
    opts: { ephemeral?: boolean; user?: string } = {},
  ) {
    const user = opts.user ?? w.admin;
    const payload = {
      type: 'block_actions',
      user: { id: user, username: 'someone', name: 'someone', team_id: w.team },
      api_app_id: 'A0KRD7HC3',
      token: 'x',
      container: { type: 'message', message_ts: ts, channel_id: w.channel, is_ephemeral: opts.ephemeral ?? true },
      trigger_id: '1.2.3',
      team: { id: w.team, domain: 'example' },
      channel: { id: w.channel, name: 'marketing' },
      ...(opts.ephemeral === false ? { message: { type: 'message', ts, text: '', blocks: [] } } : {}),
      state: { values: {} },
      response_url: standIn.messageResponseUrl(w.channel, user, ts),
      actions: [{ action_ts: `${Math.floor(Date.now() / 1000)}.000100`, ...action }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    expect((await postSlack(t.base, body)).status).toBe(200);
  }

  const totalLine = (msg: { blocks: unknown[] }) => blockTexts(msg.blocks).find((x) => x.startsWith('*Total Segments'));
  const linkCode = async (account: string) =>
    (await postJson(t.base, `/api/v1/accounts/${account}/slack-link-codes`, {})).body;

  it('installs three workspaces through OAuth, keeping no token in clear', async () => {
    for (const w of [A, B, OPS]) await install(w);
    expect(standIn.callsTo('oauth.v2.access').map((c) => c.ok)).toEqual([true, true, true]);
    const rows = await t.tdb.db('slack_installations').select('*').orderBy('team_id');
    expect(rows.map((r: any) => r.team_id)).toEqual([A.team, OPS.team, B.team].sort());
    const dump = JSON.stringify(rows);
    for (const w of [A, B, OPS]) expect(dump).not.toContain(standIn.tokenOf(w.team));
    expect(dump).not.toMatch(/xoxb-/);
    for (const r of rows) expect(r.bot_token).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    // a workspace nobody linked sees no figures, just how to connect
    const nothing = await command(A, '30d');
    expect(nothing.text).toBe(
      'This workspace is not connected to any account yet. A workspace admin can connect one with `/campaign-stats connect CODE`, using a link code from your messaging platform.',
    );
  });

  it('links with single-use codes from the API: admins only, once, within 24 hours', async () => {
    const codeA = await linkCode('acct_a');
    expect(codeA).toMatchObject({
      account_id: 'acct_a',
      code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/),
      expires_at: '2026-11-29T15:30:00.000Z',
    });
    expect((await command(A, `connect ${codeA.code}`, A.member)).text).toBe(
      ':lock: Only workspace admins can connect or disconnect accounts.',
    );
    expect((await command(A, `connect ${codeA.code}`)).text).toBe(
      ':white_check_mark: This workspace now sees *Green Leaf Denver*. Try `/campaign-stats 7d`.',
    );
    expect((await command(B, `connect ${codeA.code}`)).text).toBe(
      ':warning: That link code has already been used. Each code links once; ask for a new one.',
    );
    expect((await command(B, 'connect NOPE-NOPE-NOPE')).text).toBe(
      ':warning: That link code is not one we issued. Check it, or ask your messaging platform for a new one.',
    );
    const late = await linkCode('acct_b');
    t.clock.advance(25 * 3600_000);
    try {
      expect((await command(B, `connect ${late.code}`)).text).toBe(
        ':warning: That link code has expired (codes last 24 hours). Ask your messaging platform for a new one.',
      );
    } finally {
      t.clock.set(NOW);
    }
    expect((await command(B, `connect ${(await linkCode('acct_b')).code}`)).text).toBe(
      ':white_check_mark: This workspace now sees *Sunset Dispensary*. Try `/campaign-stats 7d`.',
    );
    // the platform's own workspace sees every account (operators' CLI)
    const out: string[] = [];
    expect(await runCli(['grant-all', OPS.team], t.tdb.env, { out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(
      0,
    );
    expect(out).toEqual([`${OPS.team} now sees every account`]);
    expect((await command(A, 'accounts')).text).toBe(
      '*Accounts this workspace sees* (1):\n• Green Leaf Denver (`acct_a`)',
    );
    expect((await command(OPS, 'accounts')).text).toBe(
      'This workspace sees *every account* (the platform’s own workspace).',
    );
  });

  it('answers each workspace with its own figures; the operator sees both', async () => {
    expect(totalLine(await command(A, '30d'))).toBe(
      '*Total Segments: 3* · 3 messages\nDelivery rate *100.0%* (nothing to compare with in the previous period)',
    );
    expect(totalLine(await command(B, '30d sms carrier:cricket'))).toBe(
      '*Total Segments: 10* · 5 messages\nDelivery rate *100.0%* (nothing to compare with in the previous period)',
    );
    expect(totalLine(await command(OPS, '30d'))).toMatch(/^\*Total Segments: 263\* · 258 messages\n/);
    const a = await command(A, '30d');
    const texts = blockTexts(a.blocks).join('\n');
    expect(texts).toContain('Green Friday');
    expect(texts).not.toMatch(/Sunset|Cricket|T-Mobile/);
    // the carrier select offers A's carriers only
    const carriers = (a.blocks.find((b: any) => b.type === 'actions') as any).elements[2].options.map(
      (o: any) => o.value,
    );
    expect(carriers).toEqual(['*', 'Verizon']);
  });

  it('answers a name outside the workspace exactly as a name that does not exist (no oracle, no suggestions)', async () => {
    const other = await command(A, '30d account:acct_b');
    const none = await command(A, '30d account:acct_zz');
    expect(blockTexts(other.blocks)[0]).toBe(':warning: I couldn\'t answer that:\n• no account called "acct_b".');
    expect(blockTexts(none.blocks)[0]).toBe(':warning: I couldn\'t answer that:\n• no account called "acct_zz".');
    expect(blockTexts((await command(A, 'campaign:"Sunset Secret Sale"')).blocks)[0]).toBe(
      ':warning: I couldn\'t answer that:\n• no campaign called "Sunset Secret Sale".',
    );
    expect(blockTexts((await command(A, '30d sunset')).blocks)[0]).toBe(
      ':warning: I couldn\'t answer that:\n• I don\'t understand "sunset".',
    );
    expect(JSON.stringify((await command(A, 'scope account:acct_b')).blocks)).toContain('No account called');
  });

  it('refuses a forged select and Share naming another account', async () => {
    const answer = await command(A, '30d');
    const before = standIn.callsTo('response_url').length;
    await click(A, answer.ts, {
      type: 'static_select',
      action_id: 'stats_type',
      block_id: 'stats:0:30d account:acct_b',
      selected_option: { text: { type: 'plain_text', text: 'SMS' }, value: 'sms' },
    });
    await click(A, answer.ts, {
      type: 'button',
      action_id: 'stats_share',
      block_id: 'x',
      value: '30d campaign:cmp_b1',
      text: { type: 'plain_text', text: 'Share' },
    });
    const calls = await waitForCalls(standIn, 'response_url', before + 2);
    const replies = calls.slice(before).map((c) => c.args.text);
    expect(replies.sort()).toEqual([
      'I couldn\'t answer: no account called "acct_b".',
      'I couldn\'t answer: no campaign called "cmp_b1".',
    ]);
    expect(standIn.messages.filter((m) => m.channel === A.channel && m.visibleTo === null)).toEqual([]);
  });

  it('lists at-risk numbers of the workspace’s accounts only', async () => {
    expect((await command(A, 'at-risk')).text).toBe(
      '*Numbers at risk* (5–6 failed campaigns in a row; 7 unsubscribes):\n• •••2000 · Verizon · Green Leaf Denver · 5 failed',
    );
    expect((await command(OPS, 'at-risk')).text).toContain('•••2010 · Cricket · Sunset Dispensary · 6 failed');
  });

  it('posts digests and alerts with each workspace’s own token and figures; an incident in B alerts B and the operator only', async () => {
    for (const w of [A, B, OPS]) {
      expect((await command(w, 'alerts on')).text).toContain(
        'Spike alerts and auto-unsubscribe announcements will be posted here',
      );
      expect((await command(w, 'digest on 09:00')).text).toContain('The daily digest will be posted here');
    }
    const { auth } = { auth: installedWorkspaceAuth(knexInstallationStore(t.tdb.db, tokenCipher(KEY), clock())) };
    const workspaces = workspaceDirectory(t.tdb.db, auth, standIn.apiUrl);
    const posted = standIn.callsTo('chat.postMessage').length;
    for (const w of [A, B]) {
      const s = (await getChannelSettings(t.tdb.db, w.team, w.channel))!;
      expect(s.teamId).toBe(w.team);
      await postDigest({ db: t.tdb.db, config: t.config, workspaces }, s, '2026-11-25', NOW);
    }
    const digests = standIn.callsTo('chat.postMessage').slice(posted);
    expect(digests.map((c) => [c.args.channel, c.ok])).toEqual([
      [A.channel, true],
      [B.channel, true],
    ]);
    expect(digests[0]!.args.text).toMatch(/^Daily digest · Wednesday Nov 25: 3 segments,/);
    expect(digests[1]!.args.text).toMatch(/^Daily digest · Wednesday Nov 25: 10 segments,/);

    const scheduler = createScheduler(t.config, t.tdb.db, fixedClock(NOW), createLogger('silent'));
    const before = standIn.callsTo('chat.postMessage').length;
    await scheduler.tick('alerts');
    const alerts = standIn
      .callsTo('chat.postMessage')
      .slice(before)
      .filter((c) => !c.args.thread_ts);
    expect(alerts.map((c) => [c.args.channel, c.ok, (c.args.text as string).split(':')[0]]).sort()).toEqual(
      [
        [B.channel, true, 'Carrier-blocked spike — T-Mobile · SMS'],
        [OPS.channel, true, 'Carrier-blocked spike — T-Mobile · SMS'],
      ].sort(),
    );
  });

  it('refuses a forged Acknowledge naming another workspace’s alert', async () => {
    const alertOfB = await t.tdb.db('alerts').first('id').where({ channel_id: B.channel });
    const before = standIn.callsTo('response_url').length;
    await click(
      A,
      '1732789200.000100',
      {
        type: 'button',
        action_id: 'alert_ack',
        block_id: 'alert_actions:x',
        value: String(alertOfB.id),
        text: { type: 'plain_text', text: 'Acknowledge' },
      },
      { ephemeral: false },
    );
    const calls = await waitForCalls(standIn, 'response_url', before + 1);
    expect(calls.at(-1)!.args.text).toBe(`There is no alert ${alertOfB.id}.`);
    expect((await t.tdb.db('alerts').first('state').where({ id: alertOfB.id })).state).toBe('open');
  });

  it('announces an auto-unsubscribe to the workspaces that see its account only, and refuses a forged Restore', async () => {
    const failed = Array.from({ length: 7 }, (_, c) =>
      message({
        provider_message_id: `SMU${String(c).padStart(30, '0')}`,
        account_id: 'acct_b',
        account_name: B.name,
        campaign_id: `cmp_bu${c}`,
        to: '+13035559999',
        carrier: 'Cricket',
        status: 'undelivered',
        error_code: 30003,
        sent_at: new Date(Date.UTC(2026, 10, 1 + c * 2, 18)).toISOString(),
      }),
    );
    expect((await postJson(t.base, '/api/v1/messages', { messages: failed })).status).toBe(200);
    const before = standIn.callsTo('chat.postMessage').length;
    await createScheduler(t.config, t.tdb.db, fixedClock(NOW), createLogger('silent')).tick('auto-unsubscribe');
    const parents = standIn
      .callsTo('chat.postMessage')
      .slice(before)
      .filter((c) => !c.args.thread_ts);
    expect(parents.map((c) => [c.args.channel, c.ok, c.args.text]).sort()).toEqual(
      [
        [B.channel, true, '1 number was auto-unsubscribed after 7 failed campaigns in a row.'],
        [OPS.channel, true, '1 number was auto-unsubscribed after 7 failed campaigns in a row.'],
      ].sort(),
    );
    const unsub = await t.tdb.db('auto_unsubscribes').first('id');
    const ephemerals = standIn.callsTo('chat.postEphemeral').length;
    await click(
      A,
      '1732789200.000100',
      {
        type: 'button',
        action_id: 'unsub_restore',
        block_id: 'unsub:x',
        value: String(unsub.id),
        text: { type: 'plain_text', text: 'Restore' },
      },
      { ephemeral: false },
    );
    const refused = await waitForCalls(standIn, 'chat.postEphemeral', ephemerals + 1);
    expect(refused.at(-1)!.args).toMatchObject({
      channel: A.channel,
      text: `There is no auto-unsubscribe ${unsub.id}.`,
    });
    expect((await t.tdb.db('subscribers').first('subscribed').where({ phone: '+13035559999' })).subscribed).toBeFalsy();
  });

  it('redraws every channel’s copy of the announcement when the platform restores a number', async () => {
    const unsub = await t.tdb.db('auto_unsubscribes').first('id');
    const rowOf = (channel: string) =>
      standIn.messages.find(
        (m) =>
          m.channel === channel &&
          m.threadTs !== null &&
          JSON.stringify(m.blocks).includes(`"block_id":"unsub:${unsub.id}"`),
      )!;
    const parentOf = (channel: string) => standIn.messages.find((m) => m.ts === rowOf(channel).threadTs)!;
    const opsRow = rowOf(OPS.channel);
    expect(JSON.stringify(rowOf(B.channel).blocks)).toContain('"action_id":"unsub_restore"');
    const payload = {
      type: 'block_actions',
      user: { id: OPS.admin, username: 'someone', name: 'someone', team_id: OPS.team },
      api_app_id: 'A0KRD7HC3',
      token: 'x',
      container: {
        type: 'message',
        message_ts: opsRow.ts,
        thread_ts: opsRow.threadTs,
        channel_id: OPS.channel,
        is_ephemeral: false,
      },
      trigger_id: '1.2.3',
      team: { id: OPS.team, domain: 'example' },
      channel: { id: OPS.channel, name: 'marketing' },
      message: { type: 'message', ts: opsRow.ts, thread_ts: opsRow.threadTs, text: '', blocks: opsRow.blocks },
      state: { values: {} },
      response_url: standIn.messageResponseUrl(OPS.channel, OPS.admin, opsRow.ts),
      actions: [
        {
          action_ts: '1732789300.000100',
          type: 'button',
          action_id: 'unsub_restore',
          block_id: `unsub:${unsub.id}`,
          value: String(unsub.id),
          text: { type: 'plain_text', text: 'Restore' },
        },
      ],
    };
    const updates = standIn.callsTo('chat.update').length;
    expect((await postSlack(t.base, new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(
      200,
    );
    await waitForCalls(standIn, 'chat.update', updates + 4);
    for (const channel of [OPS.channel, B.channel]) {
      const row = JSON.stringify(rowOf(channel).blocks);
      expect(row).not.toContain('"action_id":"unsub_restore"');
      expect(row).toContain(`restored by <@${OPS.admin}>`);
      expect(parentOf(channel).text).toBe(
        '1 number was auto-unsubscribed after 7 failed campaigns in a row; 1 restored since.',
      );
    }
    expect(
      (await t.tdb.db('subscribers').first('subscribed').where({ phone: '+13035559999' })).subscribed,
    ).toBeTruthy();
  });

  it('after app_uninstalled, posts nothing more to that workspace; a reinstall brings its accounts back', async () => {
    const event = {
      token: 'x',
      team_id: B.team,
      api_app_id: 'A0KRD7HC3',
      event: { type: 'app_uninstalled' },
      type: 'event_callback',
      event_id: 'Ev0UNINST',
      event_time: Math.floor(NOW.getTime() / 1000),
    };
    const body = JSON.stringify(event);
    expect((await postSlack(t.base, body, slackHeaders(body, { contentType: 'application/json' }))).status).toBe(200);
    for (let i = 0; i < 50 && (await t.tdb.db('slack_installations').where({ team_id: B.team })).length; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await t.tdb.db('slack_installations').where({ team_id: B.team })).toEqual([]);
    expect((await t.tdb.db('workspaces').first('installed').where({ team_id: B.team })).installed).toBeFalsy();
    standIn.revokeTeam(B.team);
    await t.tdb.db('alerts').delete();
    const before = standIn.calls.length;
    const scheduler = createScheduler(
      t.config,
      t.tdb.db,
      fixedClock(new Date(NOW.getTime() + 60_000)),
      createLogger('silent'),
    );
    await scheduler.tick('alerts');
    const after = standIn.calls.slice(before).filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    expect(after.map((c) => c.args.channel)).toEqual([OPS.channel]);
    expect(standIn.calls.slice(before).filter((c) => c.error === 'invalid_auth')).toEqual([]);
    // reinstalled: the link to acct_b and the channel's settings are still there
    // (seven more Cricket messages since: the failed campaigns of the auto-unsubscribed number)
    await install(B);
    expect(totalLine(await command(B, '30d sms carrier:cricket'))).toMatch(/^\*Total Segments: 24\* · 12 messages/);
    expect((await getChannelSettings(t.tdb.db, B.team, B.channel))!.alertsEnabled).toBe(true);
  });

  it('lists the workspaces for operators, and lets an admin disconnect an account', async () => {
    const out: string[] = [];
    expect(await runCli(['workspaces'], t.tdb.env, { out: (x) => out.push(x), err: (x) => out.push(x) })).toBe(0);
    expect(out.join('\n')).toContain(
      `${A.team}  Green Leaf Denver  installed\n  sees: acct_a\n  channels: ${A.channel} digest alerts`,
    );
    expect(out.join('\n')).toContain(`${OPS.team}  Platform deliverability  installed\n  sees: every account`);
    expect((await command(A, 'disconnect acct_a', A.member)).text).toBe(
      ':lock: Only workspace admins can connect or disconnect accounts.',
    );
    expect((await command(A, 'disconnect "Green Leaf Denver"')).text).toBe(
      'This workspace no longer sees *Green Leaf Denver*.',
    );
    expect((await command(A, '30d')).text).toMatch(/^This workspace is not connected to any account yet/);
  });
});
