import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/demo-data';
import { HELP_EXAMPLES } from '../../src/slack/blocks/help.blocks';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { startTestApp, type TestApp } from '../helpers/app';
import { ENGINES } from '../helpers/databases';
import { blockTexts, BOT_TOKEN, postSlack, SIGNING_SECRET, slashCommandBody, waitForCalls } from '../helpers/slack';

/**
 * Every example `help` shows works on the demo data (issue 15: its own example answered "no
 * campaign called"), run through the real Slack path in single-workspace mode. `help` lists
 * every subcommand, and each is among the examples.
 */
const NOW = new Date('2026-11-25T15:00:00Z');

describe.each(ENGINES)('the examples of help, on the demo data (%s)', (engine) => {
  let standIn: SlackStandIn;
  let t: TestApp;
  beforeAll(async () => {
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      usergroups: [{ id: 'S0ONCALL', handle: 'deliverability-oncall' }],
    }).start();
    t = await startTestApp(
      engine,
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standIn.apiUrl,
        CHART_RENDERER: 'none',
        SETTINGS_EDITORS: 'everyone',
      },
      NOW,
    );
    await loadDemoData(t.tdb.db, { seed: 42, days: 35, now: NOW, mmsSegments: 1 });
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await standIn?.stop();
  });

  async function reply(words: string) {
    const before = standIn.callsTo('response_url').length;
    expect((await postSlack(t.base, slashCommandBody(standIn, words))).status).toBe(200);
    const calls = await waitForCalls(standIn, 'response_url', before + 1, 30_000);
    const args = calls.at(-1)!.args as { text: string; blocks?: unknown[] };
    return [args.text, ...blockTexts(args.blocks ?? [])].join('\n');
  }

  it('help names every subcommand the parser knows', async () => {
    const help = await reply('help');
    for (const sub of [
      'why',
      'digest',
      'alerts',
      'scope',
      'at-risk',
      'unsubscribed',
      'accounts',
      'connect',
      'disconnect',
    ])
      expect(help, sub).toContain(`/campaign-stats ${sub}`);
    for (const e of HELP_EXAMPLES) expect(help).toContain(`/campaign-stats ${e.words}`);
  });

  it.each(HELP_EXAMPLES.map((e) => [e.words]))(
    'answers `/campaign-stats %s` without a word it does not understand',
    async (words) => {
      const text = await reply(words);
      expect(text).not.toMatch(/I couldn't answer|I don't understand|Something went wrong|is not a filter|Use `/);
      if (words.startsWith('connect')) expect(text).toContain('That link code is not one we issued');
      if (words.startsWith('alerts escalate')) expect(text).toContain('escalated here to <!subteam^S0ONCALL>');
      if (words.startsWith('report weekly')) expect(text).toContain('A weekly report every Monday at 09:00');
      if (words.startsWith('alerts quiet')) expect(text).toContain('Quiet hours 21:00–08:00 America/Denver');
    },
  );
});
