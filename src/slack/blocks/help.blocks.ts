import type { KnownBlock } from '@slack/types';
import type { WordError } from '../../domain/query-words';
import { escapeMrkdwn } from '../../messages/mrkdwn';
import type { SlackMessage } from '../../messages/message';
import { SLACK_LIMITS } from '../../messages/block-limits';

/**
 * Every example `help` shows, as data: each subcommand once, each example one that works on
 * the demo data (a test runs them all through the real Slack path).
 */
export const HELP_EXAMPLES: ReadonlyArray<{ group: 'answer' | 'sub'; words: string; what: string }> = [
  { group: 'answer', words: '30d mms carrier:verizon', what: 'MMS to Verizon over the last 30 days' },
  { group: 'answer', words: '30d account:"Green Leaf Denver"', what: 'one account (names in quotes)' },
  { group: 'answer', words: 'yesterday sms tz:America/New_York', what: 'yesterday in New York' },
  { group: 'sub', words: 'why 30d', what: 'every reason behind the failures, with advice' },
  {
    group: 'sub',
    words: 'explain 30d',
    what: 'what changed against the 30 days before: carriers, campaigns, types, reasons',
  },
  { group: 'sub', words: 'export last-month', what: 'the figures as CSV files, sent to you in a direct message' },
  { group: 'sub', words: 'digest on 09:00 America/Denver', what: 'a daily digest here (`digest off` stops it)' },
  { group: 'sub', words: 'digest preview', what: "yesterday's digest, only to you" },
  {
    group: 'sub',
    words: 'report weekly on mon 09:00',
    what: 'a weekly report here, with its CSV (`report monthly on 1 09:00`, `report weekly off`)',
  },
  { group: 'sub', words: 'alerts on', what: 'spike alerts and auto-unsubscribes here (`alerts off`)' },
  { group: 'sub', words: 'alerts status', what: "this channel's alert settings and open alerts" },
  {
    group: 'sub',
    words: 'alerts escalate after 30m to @deliverability-oncall',
    what: 'mention a user group (or people) when nobody acknowledges (`alerts renotify every 1h`)',
  },
  {
    group: 'sub',
    words: 'alerts quiet 21:00-08:00 America/Denver',
    what: 'hold all but severe alerts at night, one summary in the morning (`alerts quiet off`)',
  },
  { group: 'sub', words: 'scope account:"Green Leaf Denver"', what: 'this channel covers one account (`scope all`)' },
  { group: 'sub', words: 'at-risk', what: 'numbers 1–2 failed campaigns from auto-unsubscribe' },
  { group: 'sub', words: 'unsubscribed 30d', what: 'numbers auto-unsubscribed, with Restore' },
  { group: 'sub', words: 'accounts', what: 'the accounts this workspace sees' },
  {
    group: 'sub',
    words: 'connect ABCD-EFGH-JKMN-PQRS',
    what: 'link an account with a code from your platform (admins)',
  },
  { group: 'sub', words: 'disconnect "Green Leaf Denver"', what: 'stop seeing an account (admins)' },
];

const examplesSection = (title: string, group: 'answer' | 'sub'): KnownBlock => ({
  type: 'section',
  text: {
    type: 'mrkdwn',
    text: `*${title}*\n${HELP_EXAMPLES.filter((e) => e.group === group)
      .map((e) => `\`/campaign-stats ${e.words}\` — ${e.what}`)
      .join('\n')}`,
  },
});

export function helpMessage(defaultZone: string): SlackMessage {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'campaign-stats: where did my segments go?' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          '`/campaign-stats [words]` — a breakdown of segments and messages by status. Words go in any order:\n' +
          '• a period: `today`, `yesterday`, `7d` (the default), `30d`, `24h`, `this-week`, `last-week`, `this-month`, `last-month`, `2026-11`, `2026-11-01..2026-11-15`\n' +
          '• a message type: `sms` or `mms`\n' +
          '• a carrier: `carrier:verizon` or just `verizon`\n' +
          '• a campaign: `campaign:"Black Friday"` or its id\n' +
          '• an account: `account:"Green Leaf Denver"` or its id\n' +
          `• a time zone: \`tz:America/Denver\` (default ${escapeMrkdwn(defaultZone)})`,
      },
    },
    examplesSection('Examples', 'answer'),
    examplesSection('Subcommands', 'sub'),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Statuses: Queued · Failed · Ignored · Unreachable · Undelivered · Delivery (Unconfirmed) · Delivery (Confirmed). Receipts keep arriving for about 72 hours, so recent numbers are provisional.',
        },
      ],
    },
  ];
  return {
    text: 'campaign-stats help: /campaign-stats [period] [sms|mms] [carrier:NAME] [campaign:NAME] [account:NAME] [tz:ZONE]; why, explain, export, digest, report, alerts (escalate, renotify, quiet), scope, at-risk, unsubscribed, accounts, connect, disconnect',
    blocks,
  };
}

/** What was not understood, word by word; no stats are guessed. */
export function wordErrorsMessage(errors: WordError[]): SlackMessage {
  const lines = errors.map((e) => `• ${escapeMrkdwn(e.message)}`);
  return {
    text: `I couldn't answer: ${errors.map((e) => e.message).join(' ')}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:warning: I couldn't answer that:\n${lines.join('\n')}`.slice(0, SLACK_LIMITS.sectionText),
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Type `/campaign-stats help` for the words I understand.' }],
      },
    ],
  };
}

export function failureMessage(): SlackMessage {
  return {
    text: 'Something went wrong on our side while answering; nothing was changed. Please try again in a minute.',
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':x: Something went wrong on our side while answering; nothing was changed. Please try again in a minute.',
        },
      },
    ],
  };
}

/** A read stopped by the database's statement timeout: the user can narrow the question. */
export function tooSlowMessage(seconds: number): SlackMessage {
  const text = `That answer needed more than ${seconds} s of database time and was stopped; nothing was changed. Try a shorter period or narrow it (\`carrier:\`, \`account:\`, \`type:\`).`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:hourglass: ${text}` } }] };
}
