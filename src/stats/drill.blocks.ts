import type { ActionsBlock, KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { STATUS_LABELS } from '../domain/status';
import { SLACK_LIMITS } from '../messages/block-limits';
import type { SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtInt, maskPhone } from '../messages/mrkdwn';
import type { ReasonNumbers } from './drill.service';
import { ACTION, DRILL_BLOCK_PREFIX, encodeStack } from './stats.blocks';

/** What a page button carries: the answer's words, the reason, the page. */
export interface PageValue {
  w: string;
  r: string;
  p: number;
}

/**
 * A reason's drill-down, in place of the answer: the numbers that failed for it (masked, with
 * their campaign, status and when), a page at a time, and Back to the answer it came from.
 */
export function reasonNumbersMessage(
  n: ReasonNumbers,
  words: string,
  zone: string,
  /** the answers before, the one drilled from last (Back returns to it) */
  back: readonly string[],
): SlackMessage {
  const head = `Numbers that failed: ${n.label}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: head.slice(0, SLACK_LIMITS.headerText) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `\`/campaign-stats ${escapeMrkdwn(words)}\` · ${fmtInt(n.total)} message${n.total === 1 ? '' : 's'} · page ${n.page} of ${n.pages} · times in ${zone} · numbers masked`,
        },
      ],
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: (n.rows.length
          ? n.rows
              .map(
                (r) =>
                  `• ${maskPhone(r.phone)} · ${escapeMrkdwn(r.campaign)} · ${STATUS_LABELS[r.status]}${r.errorCode === null ? '' : ` (${r.errorCode})`} · ${DateTime.fromJSDate(r.sentAt, { zone }).toFormat('LLL d HH:mm')}`,
              )
              .join('\n')
          : 'No message failed for this reason in this answer.'
        ).slice(0, SLACK_LIMITS.sectionText),
      },
    },
  ];
  const elements: ActionsBlock['elements'] = [];
  const page = (p: number, text: string) =>
    elements.push({
      type: 'button',
      action_id: `${ACTION.page}_${p < n.page ? 'prev' : 'next'}`,
      text: { type: 'plain_text', text },
      value: JSON.stringify({ w: words, r: n.reason, p } satisfies PageValue),
    });
  if (n.page > 1) page(n.page - 1, '◂ Newer');
  if (n.page < n.pages) page(n.page + 1, 'Older ▸');
  elements.push({
    type: 'button',
    action_id: ACTION.back,
    text: { type: 'plain_text', text: '◂ Back to the answer' },
    value: encodeStack(back, 2000),
  });
  const prefix = `${DRILL_BLOCK_PREFIX}0:`;
  blocks.push({ type: 'actions', block_id: `${prefix}${encodeStack(back, 255 - prefix.length)}`, elements });
  return {
    text: `${head}: ${fmtInt(n.total)} messages (page ${n.page} of ${n.pages}), \`/campaign-stats ${words}\`.`,
    blocks,
  };
}
