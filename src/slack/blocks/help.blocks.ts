import type { KnownBlock } from '@slack/types';
import type { WordError } from '../../domain/query-words';
import { escapeMrkdwn } from '../../messages/mrkdwn';
import type { SlackMessage } from '../../messages/message';

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
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Examples*\n`/campaign-stats 30d mms carrier:verizon`\n`/campaign-stats last-month campaign:"Black Friday"`\n`/campaign-stats yesterday sms tz:America/New_York`',
      },
    },
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
    text: 'campaign-stats help: /campaign-stats [period] [sms|mms] [carrier:NAME] [campaign:NAME] [account:NAME] [tz:ZONE]',
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
        text: { type: 'mrkdwn', text: `:warning: I couldn't answer that:\n${lines.join('\n')}`.slice(0, 3000) },
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
