import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/app';
import { fixedClock } from '../../src/clock';
import { createLogger } from '../../src/logger';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { ENGINES } from '../helpers/databases';
import { message, postJson, startTestApp, type TestApp } from '../helpers/app';
import { blockTexts, BOT_TOKEN, postSlack, SIGNING_SECRET, slackHeaders, waitForCalls } from '../helpers/slack';

/**
 * The attack suite (issue 16): merchant B's admin and member try every way in to merchant A's
 * data — in B's own channels, in a Slack Connect channel A shares with B (one channel id, seen
 * by both workspaces), and after B disconnected an account it once saw. Nothing of A (names,
 * figures, carriers, user ids, alert state) may come through, and nothing of A may change.
 */
const NOW = new Date('2026-11-28T15:30:00Z');
const OAUTH = { clientId: '111.333', clientSecret: 'client-secret-attack-0123456789' };
const KEY = `${'k'.repeat(16)}token-encryption-key-attack-01`;
const SHARED = 'CSHARED1'; // a Slack Connect channel of A's, shared with B
const A = { team: 'TALPHA01', name: 'Alpha Goods', channel: 'CALPHA01', admin: 'UALPHA01', member: 'UALPHA02' };
const B = { team: 'TBETA001', name: 'Beta Shop', channel: 'CBETA001', admin: 'UBETA001', member: 'UBETA002' };
type Ws = typeof A;
/** what of A must never reach B: its account's names and id, its campaign, its carriers, its users */
const A_MARKS = ['Alpha', 'acct_a', 'Verizon', 'T-Mobile', A.admin, A.member];
const leaks = (texts: string[]) =>
  A_MARKS.filter((m) =>
    texts.some((t) => t.includes(m) && (process.env.DEBUG_LEAKS ? console.log('LEAK', m, t) : true)),
  );

describe.each(ENGINES)('isolation under attack (%s)', (engine) => {
  let standIn: SlackStandIn;
  let t: TestApp;

  beforeAll(async () => {
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      oauth: OAUTH,
      workspaces: [
        {
          teamId: A.team,
          name: A.name,
          token: null,
          channels: [
            { id: A.channel, name: 'alpha' },
            { id: SHARED, name: 'alpha-and-beta', sharedWith: [B.team] },
          ],
          users: [
            { id: A.admin, name: 'alpha-admin', isAdmin: true },
            { id: A.member, name: 'alpha-member' },
          ],
        },
        {
          teamId: B.team,
          name: B.name,
          token: null,
          channels: [{ id: B.channel, name: 'beta' }],
          users: [
            { id: B.admin, name: 'beta-admin', isAdmin: true },
            { id: B.member, name: 'beta-member' },
          ],
        },
      ],
    }).start();
    t = await startTestApp(
      engine,
      {
        SLACK_CLIENT_ID: OAUTH.clientId,
        SLACK_CLIENT_SECRET: OAUTH.clientSecret,
        SLACK_STATE_SECRET: 'state-secret-attack-0123456789',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        TOKEN_ENCRYPTION_KEY: KEY,
        SLACK_API_URL: standIn.apiUrl,
        CHART_RENDERER: 'none',
      },
      NOW,
    );
    const m = (i: number, o: Record<string, unknown>) =>
      message({ provider_message_id: `SMX${String(i).padStart(30, '0')}`, to: `+1720555${String(3000 + i)}`, ...o });
    const alpha = { account_id: 'acct_a', account_name: 'Alpha Goods', campaign_id: 'cmp_a1' };
    const records = [
      ...[0, 1, 2].map((i) =>
        m(i, {
          ...alpha,
          campaign_name: 'Alpha Launch',
          carrier: 'Verizon',
          status: 'delivered_confirmed',
          sent_at: '2026-11-28T10:00:00Z',
        }),
      ),
      // an incident on A's T-Mobile traffic: an alert wherever acct_a is seen
      ...Array.from({ length: 250 }, (_, i) =>
        m(100 + i, {
          ...alpha,
          campaign_id: 'cmp_a2',
          campaign_name: 'Alpha Flash',
          carrier: 'T-Mobile',
          status: i < 150 ? 'undelivered' : 'delivered_confirmed',
          error_code: i < 150 ? 30007 : null,
          sent_at: '2026-11-28T14:45:00Z',
        }),
      ),
      ...[10, 11].map((i) =>
        m(i, {
          account_id: 'acct_b',
          account_name: 'Beta Shop',
          campaign_id: 'cmp_b1',
          campaign_name: 'Beta Sale',
          carrier: 'Cricket',
          status: 'delivered_confirmed',
          sent_at: '2026-11-28T10:00:00Z',
        }),
      ),
    ];
    expect((await postJson(t.base, '/api/v1/messages', { messages: records })).status).toBe(200);
    await t.tdb.db('subscribers').where({ phone: '+17205553000' }).update({ fail_streak: 5 });
    for (const w of [A, B]) await install(w);
    await connect(A, 'acct_a');
    await connect(B, 'acct_b');
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });

  async function install(w: Ws) {
    const redirect = await startInstall();
    expect((await redirect(`code=${standIn.approveInstall(w.team, w.admin)}`)).status).toBe(200);
  }

  /** Opens /slack/install as a browser does; the redirect Slack would then send, with that state and cookie. */
  async function startInstall() {
    const page = await fetch(`${t.base}/slack/install`);
    const authorize = /href="([^"]*oauth\/v2\/authorize[^"]*)"/.exec(await page.text())![1]!.replace(/&amp;/g, '&');
    const state = new URL(authorize).searchParams.get('state')!;
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return (query: string) =>
      fetch(`${t.base}/slack/oauth_redirect?${query}&state=${encodeURIComponent(state)}`, { headers: { cookie } });
  }

  async function connect(w: Ws, account: string) {
    const { code } = (await postJson(t.base, `/api/v1/accounts/${account}/slack-link-codes`, {})).body;
    expect((await command(w, w.channel, `connect ${code}`)).text).toMatch(
      /^:white_check_mark: This workspace now sees/,
    );
  }

  /** a slash command as Slack sends it from `w`'s user in `channel`; the answer they see */
  async function command(w: Ws, channel: string, text: string, user = w.admin) {
    const before = standIn.callsTo('response_url').length;
    const body = new URLSearchParams({
      token: 'x',
      team_id: w.team,
      team_domain: 'example',
      channel_id: channel,
      channel_name: 'x',
      user_id: user,
      user_name: 'someone',
      command: '/campaign-stats',
      text,
      response_url: standIn.commandResponseUrl(channel, user),
      trigger_id: '1.2.3',
      api_app_id: 'A0KRD7HC3',
    }).toString();
    expect((await postSlack(t.base, body)).status).toBe(200);
    await waitForCalls(standIn, 'response_url', before + 1);
    const msg = standIn.messages.filter((x) => x.channel === channel && x.visibleTo === user).at(-1)!;
    return { text: msg.text, all: [msg.text, ...blockTexts(msg.blocks)] };
  }

  /** a button click from `w`'s user on message `ts` in `channel` */
  async function click(w: Ws, channel: string, ts: string, action: Record<string, unknown>, user = w.admin) {
    const payload = {
      type: 'block_actions',
      user: { id: user, username: 'someone', name: 'someone', team_id: w.team },
      api_app_id: 'A0KRD7HC3',
      token: 'x',
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
      trigger_id: '1.2.3',
      team: { id: w.team, domain: 'example' },
      channel: { id: channel, name: 'x' },
      message: { type: 'message', ts, text: '', blocks: [] },
      state: { values: {} },
      response_url: standIn.messageResponseUrl(channel, user, ts),
      actions: [{ action_ts: `${Math.floor(Date.now() / 1000)}.000100`, ...action }],
    };
    expect((await postSlack(t.base, new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(
      200,
    );
  }

  /** An Events API callback from `w`, signed as Slack signs it; answered 200 at once. */
  async function sendEvent(w: Ws, event: Record<string, unknown>) {
    const body = JSON.stringify({
      token: 'x',
      team_id: w.team,
      api_app_id: 'A0KRD7HC3',
      type: 'event_callback',
      event_id: `Ev${Math.random().toString(36).slice(2, 10)}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
    expect((await postSlack(t.base, body, slackHeaders(body, { contentType: 'application/json' }))).status).toBe(200);
  }

  async function threadReply(w: Ws, channel: string, threadTs: string, text: string, user: string) {
    await sendEvent(w, {
      type: 'message',
      channel,
      channel_type: 'channel',
      user,
      text,
      ts: '1764343800.000900',
      thread_ts: threadTs,
    });
    await new Promise((r) => setTimeout(r, 300)); // events are answered after the 200
  }

  /** `user` of `w` opens the app's Home tab; the view published for them */
  async function openHome(w: Ws, user: string) {
    const before = standIn.callsTo('views.publish').length;
    await sendEvent(w, {
      type: 'app_home_opened',
      user,
      channel: `D${user.slice(1)}`,
      tab: 'home',
      event_ts: '1764343800.000100',
    });
    const calls = await waitForCalls(standIn, 'views.publish', before + 1);
    const call = calls.at(-1)!;
    expect(call).toMatchObject({ ok: true, args: { user_id: user } });
    return JSON.stringify(standIn.views.get(user));
  }

  /** a button on `w`'s Home tab (no channel: the container is the view) */
  async function homeClick(w: Ws, action: Record<string, unknown>, user = w.admin) {
    const payload = {
      type: 'block_actions',
      user: { id: user, username: 'someone', name: 'someone', team_id: w.team },
      api_app_id: 'A0KRD7HC3',
      token: 'x',
      container: { type: 'view', view_id: 'V0HOME' },
      trigger_id: '1.2.3',
      team: { id: w.team, domain: 'example' },
      view: { id: 'V0HOME', type: 'home', blocks: [] },
      actions: [{ action_ts: `${Math.floor(Date.now() / 1000)}.000100`, ...action }],
    };
    expect((await postSlack(t.base, new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(
      200,
    );
    await new Promise((r) => setTimeout(r, 300)); // actions are acknowledged first, then run
  }

  /** one alert evaluation, each at its own minute (the run ledger runs a minute's slot once) */
  let minute = 0;
  const evaluateAlerts = () =>
    createScheduler(
      t.config,
      t.tdb.db,
      fixedClock(new Date(NOW.getTime() + minute++ * 60_000)),
      createLogger('silent'),
    ).tick('alerts');
  const alertState = async (id: number) =>
    (await t.tdb.db('alerts').first('state', 'acked_by', 'snoozed_until', 'resolved_by').where({ id })) as Record<
      string,
      unknown
    >;
  const channelRows = async (channel: string) =>
    (await t.tdb.db('channel_settings').select('*').where({ channel_id: channel })).map((r: any) => ({
      team: r.team_id,
      alerts: Boolean(r.alerts_enabled),
      digest: Boolean(r.digest_enabled),
      account: r.account_id,
    }));

  /** every read-only surface of `help`, as B's admin and member, from `channel` */
  async function everyReadFromB(channel: string): Promise<string[]> {
    const texts: string[] = [];
    for (const user of [B.admin, B.member])
      for (const words of [
        '30d',
        'why 30d',
        'digest preview 2026-11-28',
        'alerts status',
        'at-risk',
        'unsubscribed 30d',
        'accounts',
        'help',
      ]) {
        const { all } = await command(B, channel, words, user);
        // help is the same fixed text for everyone (its examples name carriers): read, not scanned
        if (words !== 'help') texts.push(...all);
      }
    // naming A's account or campaign is answered exactly as naming one that does not exist
    for (const [probe, none] of [
      ['30d account:acct_a', '30d account:acct_zz'],
      ['campaign:cmp_a2', 'campaign:cmp_zz'],
    ] as const) {
      const [a, z] = [await command(B, channel, probe), await command(B, channel, none)];
      expect(a.all.map((x) => x.replace(/acct_a|cmp_a2/g, 'X'))).toEqual(
        z.all.map((x) => x.replace(/acct_zz|cmp_zz/g, 'X')),
      );
    }
    return texts;
  }

  it("in a Slack Connect channel A shares with B: B sees nothing of A's and changes nothing of A's", async () => {
    for (const words of ['alerts on', 'digest on 09:00', 'scope account:acct_a']) await command(A, SHARED, words);
    await evaluateAlerts();
    const alertOfA = await t.tdb.db('alerts').first('id', 'message_ts').where({ channel_id: SHARED });
    expect(alertOfA).toBeTruthy();
    expect(await alertState(alertOfA.id)).toMatchObject({ state: 'open', acked_by: null });

    expect(leaks(await everyReadFromB(SHARED))).toEqual([]);
    // B's settings commands in the shared channel are B's own: A's stay as A set them
    for (const words of ['alerts off', 'digest off', 'scope account:acct_b', 'scope all'])
      await command(B, SHARED, words);
    expect((await channelRows(SHARED)).find((r) => r.team === A.team)).toEqual({
      team: A.team,
      alerts: true,
      digest: true,
      account: 'acct_a',
    });
    // A's buttons and thread, pressed and replied to from B: refused, A's alert unchanged
    const before = standIn.callsTo('response_url').length;
    for (const action_id of ['alert_ack', 'alert_resolve'])
      await click(B, SHARED, alertOfA.message_ts, {
        type: 'button',
        action_id,
        block_id: `alert_actions:${alertOfA.id}`,
        value: String(alertOfA.id),
        text: { type: 'plain_text', text: 'x' },
      });
    await click(B, SHARED, alertOfA.message_ts, {
      type: 'static_select',
      action_id: 'alert_snooze',
      block_id: `alert_actions:${alertOfA.id}`,
      selected_option: { text: { type: 'plain_text', text: 'Snooze 1h' }, value: `${alertOfA.id}:1h` },
    });
    const replies = (await waitForCalls(standIn, 'response_url', before + 3)).slice(before).map((c) => c.args.text);
    expect(replies).toEqual([
      `There is no alert ${alertOfA.id}.`,
      `There is no alert ${alertOfA.id}.`,
      `There is no alert ${alertOfA.id}.`,
    ]);
    await threadReply(B, SHARED, alertOfA.message_ts, 'ack', B.member);
    expect(await alertState(alertOfA.id)).toMatchObject({
      state: 'open',
      acked_by: null,
      snoozed_until: null,
      resolved_by: null,
    });
    const bSaw = standIn.calls
      .filter((c) => c.method === 'chat.postEphemeral' || c.method === 'response_url')
      .filter((c) => c.args.user === B.member || c.args.user === B.admin)
      .map((c) => JSON.stringify(c.args));
    expect(leaks(bSaw)).toEqual([]);
  });

  it("B's Home tab shows nothing of A's, and its buttons cannot touch A's alert; A's Home acts on it", async () => {
    const alertOfA = await t.tdb.db('alerts').first('id', 'message_ts').where({ channel_id: SHARED });
    expect(alertOfA).toBeTruthy();
    const homeOfA = await openHome(A, A.admin);
    expect(homeOfA).toContain('Open alerts (1)');
    expect(homeOfA).toContain('Carrier-blocked spike — T-Mobile · SMS · account Alpha Goods');
    for (const user of [B.admin, B.member]) {
      const homeOfB = await openHome(B, user);
      expect(homeOfB).toContain('Open alerts (0)');
      expect(homeOfB).toContain('This workspace sees *Beta Shop*');
      expect(leaks([homeOfB])).toEqual([]);
    }
    // B forges A's alert id into its own Home's buttons: nothing changes
    const value = String(alertOfA.id);
    for (const action_id of ['alert_ack', 'alert_resolve'])
      await homeClick(B, { type: 'button', action_id, block_id: `alert_actions:${value}`, value });
    expect(await alertState(alertOfA.id)).toMatchObject({ state: 'open', acked_by: null, resolved_by: null });
    // from A's Home, the same button acknowledges it, notes it in the thread, and redraws A's Home
    const published = standIn.callsTo('views.publish').length;
    await homeClick(A, { type: 'button', action_id: 'alert_ack', block_id: `alert_actions:${value}`, value });
    expect(await alertState(alertOfA.id)).toMatchObject({ state: 'acknowledged', acked_by: A.admin });
    const note = standIn.messages.find((m) => m.threadTs === alertOfA.message_ts && m.text.startsWith('Acknowledged'));
    expect(note?.text).toBe(`Acknowledged by <@${A.admin}>.`);
    const redraws = (await waitForCalls(standIn, 'views.publish', published + 1)).slice(published);
    expect(redraws.map((c) => c.args.user_id)).toEqual([A.admin]); // only A's users who opened Home
    expect(JSON.stringify(standIn.views.get(A.admin))).toContain(`Acknowledged by <@${A.admin}>`);
  });

  it('after disconnect, the account leaves every surface of that workspace at once', async () => {
    await connect(B, 'acct_a');
    for (const words of ['scope account:acct_a', 'alerts on', 'digest on 15:00 UTC'])
      await command(B, B.channel, words);
    await evaluateAlerts();
    const alertInB = await t.tdb.db('alerts').first('id', 'message_ts', 'state').where({ channel_id: B.channel });
    expect(alertInB.state).toBe('open');
    expect((await command(B, B.channel, 'disconnect acct_a')).text).toBe(
      `This workspace no longer sees *Alpha Goods*.\nChannels scoped to it now show nothing until re-scoped (\`/campaign-stats scope all\` there): <#${B.channel}>.`,
    );
    // its open alert in B is closed, saying why, in its thread
    expect((await alertState(alertInB.id)).state).toBe('resolved');
    expect(standIn.messages.filter((x) => x.threadTs === alertInB.message_ts).map((x) => x.text)).toContainEqual(
      expect.stringMatching(/^Closed: this workspace no longer sees that account\./),
    );
    expect(leaks(await everyReadFromB(B.channel))).toEqual([]);
    // the scheduled digest of B's channel, posted with B's token: nothing of A
    const posted = standIn.callsTo('chat.postMessage').length;
    await createScheduler(
      t.config,
      t.tdb.db,
      fixedClock(new Date('2026-11-28T15:01:00Z')),
      createLogger('silent'),
    ).tick('digest');
    const digests = standIn
      .callsTo('chat.postMessage')
      .slice(posted)
      .filter((c) => c.args.channel === B.channel);
    expect(digests.length).toBeGreaterThan(0);
    expect(leaks(digests.map((c) => JSON.stringify(c.args)))).toEqual([]);
  });

  it('posts each workspace its own digest in a Slack Connect channel (one run-ledger slot each)', async () => {
    for (const w of [A, B]) await command(w, SHARED, 'digest on 15:00 UTC');
    await createScheduler(
      t.config,
      t.tdb.db,
      fixedClock(new Date('2026-11-28T15:02:00Z')),
      createLogger('silent'),
    ).tick('digest');
    // each workspace's record has its own slot (A's 09:00 one was handled, late, by an earlier
    // run today); B's is not taken for A's, and B's digest went out
    const slots = await t.tdb.db('job_runs').select('slot', 'status').where('slot', 'like', `%${SHARED}:2026-11-28`);
    expect(slots.map((r: { slot: string }) => r.slot).sort()).toEqual([
      `${A.team}/${SHARED}:2026-11-28`,
      `${B.team}/${SHARED}:2026-11-28`,
    ]);
    expect(slots.find((r: { slot: string }) => r.slot.startsWith(B.team))?.status).toBe('done');
  });

  it('answers a button value that is not an id with a clear private reply', async () => {
    for (const value of ['abc', '1 OR 1=1']) {
      const before = standIn.callsTo('response_url').length;
      await click(A, A.channel, '1764343800.000100', {
        type: 'button',
        action_id: 'alert_ack',
        block_id: 'alert_actions:x',
        value,
        text: { type: 'plain_text', text: 'Acknowledge' },
      });
      const calls = await waitForCalls(standIn, 'response_url', before + 1);
      expect(calls.at(-1)!.args).toMatchObject({
        response_type: 'ephemeral',
        text: `That button is not one I can act on ("${value}" is not an alert id).`,
      });
    }
  });

  it('takes `digest on 09:00 UTC` (UTC, GMT, Z and IANA aliases)', async () => {
    for (const zone of ['UTC', 'GMT', 'Z', 'Etc/UTC', 'US/Mountain']) {
      const reply = await command(A, A.channel, `digest on 09:00 ${zone}`);
      expect(reply.text).toContain('The daily digest will be posted here');
    }
  });

  it('uses an OAuth state once; a denied or failed install ends on a readable 4xx page', async () => {
    const redirect = await startInstall();
    const denied = await redirect('error=access_denied');
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('<h1>Installation cancelled</h1>');
    expect((await redirect(`code=${standIn.approveInstall(A.team, A.admin)}`)).status).toBe(200);
    // the same state a second time (a replayed redirect): refused, whatever the code
    const again = await redirect(`code=${standIn.approveInstall(A.team, A.admin)}`);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('<h1>This install link has expired</h1>');
  });

  it('an invalid install code ends on a 400 page, not a 500', async () => {
    const res = await (await startInstall())('code=not-a-code');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<h1>Slack did not complete the installation</h1>');
  });

  it('slows wrong link codes: ten an hour per workspace, then a clear reply; the hour over, a good code works', async () => {
    for (let i = 0; i < 10; i++)
      expect((await command(A, A.channel, `connect WRNG-CODE-${String(i).padStart(4, 'X')}-AAAA`)).text).toBe(
        ':warning: That link code is not one we issued. Check it, or ask your messaging platform for a new one.',
      );
    const { code } = (await postJson(t.base, '/api/v1/accounts/acct_b/slack-link-codes', {})).body;
    expect((await command(A, A.channel, `connect ${code}`)).text).toBe(
      ':no_entry: Too many wrong link codes from this workspace (10 in an hour). Try again in 60 minutes, or ask your messaging platform for a new code.',
    );
    // another workspace is not slowed by A's guesses
    expect((await command(B, B.channel, 'connect NOPE-NOPE-NOPE-NOPE')).text).toMatch(/is not one we issued/);
    t.clock.advance(61 * 60_000);
    try {
      expect((await command(A, A.channel, `connect ${code}`)).text).toMatch(
        /^:white_check_mark: This workspace now sees/,
      );
    } finally {
      t.clock.set(NOW);
    }
  });
});
