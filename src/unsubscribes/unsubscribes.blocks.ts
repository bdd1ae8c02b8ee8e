import type { KnownBlock } from '@slack/types';
import { notice, type SlackMessage } from '../messages/message';
import type { AtRisk, Unsubscribed } from './unsubscribes.service';
import { escapeMrkdwn, fmtInt, lowerFirst, maskPhone } from '../messages/mrkdwn';
import type { AutoUnsubscribe } from './unsubscribes.repository';
import { REASONS, type ReasonCode } from '../domain/reasons';
import { ROWS_PER_MESSAGE, SLACK_LIMITS } from '../messages/block-limits';

export const RESTORE_ACTION = 'unsub_restore';

function tally(list: AutoUnsubscribe[], key: (a: AutoUnsubscribe) => string): string {
  const m = new Map<string, number>();
  for (const a of list) m.set(key(a), (m.get(key(a)) ?? 0) + 1);
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${escapeMrkdwn(k)} ${fmtInt(n)}`)
    .join(' · ');
}

export function autoUnsubscribeSummary(
  list: AutoUnsubscribe[],
  threshold: number,
  accountName: (id: string) => string = (id) => id,
): SlackMessage {
  const n = list.length;
  const restored = list.filter((a) => a.restoredAt !== null).length;
  const since = restored ? ` · ${fmtInt(restored)} restored since` : '';
  return {
    text: `${fmtInt(n)} number${n === 1 ? ' was' : 's were'} auto-unsubscribed after ${threshold} failed campaigns in a row${restored ? `; ${fmtInt(restored)} restored since` : ''}.`,
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: `${fmtInt(n)} number${n === 1 ? '' : 's'} auto-unsubscribed${since}` },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Each failed ${threshold} campaigns in a row for reasons of its own (never the sender’s or a carrier’s); they get no more messages until restored.\n*By carrier:* ${tally(list, (a) => a.carrier ?? 'Unknown')}\n*By account:* ${tally(list, (a) => accountName(a.accountId))}${reasonTally(list)}`.slice(
            0,
            SLACK_LIMITS.sectionText,
          ),
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'The numbers are in the thread, each with a Restore button. Restore undoes an auto-unsubscribe only, never a customer’s STOP.',
          },
        ],
      },
    ],
  };
}

/** Thread messages listing the numbers, 40 to a message (Slack allows 50 blocks). */
export function restoreLists(
  list: AutoUnsubscribe[],
  accountName: (id: string) => string = (id) => id,
): SlackMessage[] {
  const out: SlackMessage[] = [];
  for (let i = 0; i < list.length; i += ROWS_PER_MESSAGE) {
    const chunk = list.slice(i, i + ROWS_PER_MESSAGE);
    const blocks: KnownBlock[] = chunk.map((a) => {
      const why =
        a.reasons?.[0] && a.reasons[0] in REASONS ? ` (${lowerFirst(REASONS[a.reasons[0] as ReasonCode].label)})` : '';
      const row = `${maskPhone(a.phone)} · ${escapeMrkdwn(a.carrier ?? 'Unknown')} · ${escapeMrkdwn(accountName(a.accountId))} · ${a.campaigns.length} failed campaigns${why}`;
      return a.restoredAt
        ? {
            type: 'section',
            block_id: `unsub:${a.id}`,
            text: { type: 'mrkdwn', text: `~${row}~ · :leftwards_arrow_with_hook: restored by <@${a.restoredBy}>` },
          }
        : {
            type: 'section',
            block_id: `unsub:${a.id}`,
            text: { type: 'mrkdwn', text: row },
            accessory: {
              type: 'button',
              action_id: RESTORE_ACTION,
              text: { type: 'plain_text', text: 'Restore' },
              value: String(a.id),
            },
          };
    });
    out.push({ text: `Auto-unsubscribed numbers ${i + 1}–${i + chunk.length} of ${list.length}`, blocks });
  }
  return out;
}

/** "\n*Reasons (latest failure):* Handset unreachable 5 · Invalid number 2", when recorded. */
function reasonTally(list: AutoUnsubscribe[]): string {
  const known = list.filter((a) => a.reasons?.[0] && a.reasons[0] in REASONS);
  if (!known.length) return '';
  return `\n*Reasons (latest failure):* ${tally(known, (a) => REASONS[a.reasons![0] as ReasonCode].label)}`;
}

/** A list of at most this many numbers in one answer, with a count of the rest. */
const LISTED = 60;

/** `at-risk` in words, numbers masked. */
export function atRiskMessage(r: AtRisk): SlackMessage {
  if (!r.numbers.length)
    return notice(`No numbers are at risk (${r.band.min}–${r.band.max} failed campaigns in a row).`);
  return notice(
    `*Numbers at risk* (${r.band.min}–${r.band.max} failed campaigns in a row; ${r.threshold} unsubscribes):\n${r.numbers.map((x) => `• ${maskPhone(x.phone)} · ${escapeMrkdwn(x.carrier ?? 'Unknown')} · ${escapeMrkdwn(x.accountName)} · ${x.failStreak} failed`).join('\n')}`,
  );
}

/** `unsubscribed [period]` in words, numbers masked. */
export function unsubscribedMessage(u: Unsubscribed): SlackMessage {
  if (u.type === 'bad-period') return notice(`:warning: ${u.message}`);
  const list = u.numbers;
  if (!list.length) return notice(`No numbers were auto-unsubscribed in ${u.label} (${u.zone}).`);
  return notice(
    `*Auto-unsubscribed in ${u.label}* (${list.length}):\n${list
      .slice(0, LISTED)
      .map(
        (x) =>
          `• ${maskPhone(x.phone)} · ${escapeMrkdwn(x.carrier ?? 'Unknown')} · ${escapeMrkdwn(x.accountName)} · ${x.restoredBy !== null ? `restored by <@${x.restoredBy}>` : `${x.failedCampaigns} failed campaigns`}`,
      )
      .join('\n')}${list.length > LISTED ? `\n…and ${list.length - LISTED} more` : ''}`,
  );
}
