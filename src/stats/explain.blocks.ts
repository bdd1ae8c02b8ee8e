import type { KnownBlock } from '@slack/types';
import {
  DIMENSIONS,
  isNamed,
  MIN_NAMED_PTS,
  topCauses,
  type Change,
  type Contribution,
  type Dimension,
} from '../domain/explain';
import type { SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtInt, fmtPct, lowerFirst } from '../messages/mrkdwn';
import { SLACK_LIMITS } from '../messages/block-limits';

/** "▼ 3.1" — points with the arrow of their sign. */
export const signedPts = (pts: number, digits = 1) => {
  const shown = Math.abs(pts).toFixed(digits);
  // what rounds to nothing has no direction
  return `${Number(shown) === 0 ? '→' : pts < 0 ? '▼' : '▲'} ${shown}`;
};

/** How a cause is said: a type whose share moved more than its rate is a change of mix. */
function causeWords(c: Contribution, markdown: boolean): string {
  const name = markdown ? `*${escapeMrkdwn(c.label)}*` : c.label;
  if (c.dimension === 'type' && Math.abs(c.mix_pts) > Math.abs(c.rate_pts))
    return `${c.share.after > c.share.before ? 'more' : 'less'} ${name} in the mix ${signedPts(c.pts)}`;
  return `${name} ${signedPts(c.pts)}`;
}

/** "mostly carrier filtering" (its failures cost the rate), "fewer failures: carrier filtering" (they fell). */
export const reasonWords = (r: { label: string; pts: number }) =>
  `${r.pts < 0 ? 'mostly' : 'fewer failures:'} ${lowerFirst(r.label)}`;

/**
 * The first cause's own reason and, for a carrier, its campaign: " (mostly carrier filtering)",
 * " (carrier filtering, mostly *Black Friday MMS*)", " (mostly *Black Friday MMS*)", or nothing.
 */
function detailWords(c: Contribution, markdown: boolean): string {
  const campaign = c.mostly && (markdown ? `*${escapeMrkdwn(c.mostly.label)}*` : c.mostly.label);
  if (c.why && campaign)
    return ` (${c.why.pts < 0 ? lowerFirst(c.why.label) : reasonWords(c.why)}, mostly ${campaign})`;
  if (c.why) return ` (${reasonWords(c.why)})`;
  return campaign ? ` (mostly ${campaign})` : '';
}

const orList = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`);

/**
 * The top causes of a change in words, or null when it did not move:
 * "*T-Mobile* ▼ 3.1 (mostly carrier filtering), more *MMS* in the mix ▼ 0.6, *Verizon* ▼ 0.3".
 * The first cause's reason is its own (`why`, read within it); without one, the change's
 * largest reason overall is said after the list. A change no group moved more than its share
 * of is said to be across the board (when there were groups large enough to judge).
 */
export function changeWords(change: Change | null, markdown = true): string | null {
  if (!change) return null;
  const { causes, reason } = topCauses(change);
  if (!causes.length) {
    // across the board only where groups were judged: some dimension with two groups large enough
    const judged = DIMENSIONS.some(
      (d) => d !== 'reason' && change.contributions.filter((c) => c.dimension === d && isNamed(c)).length >= 2,
    );
    if (Math.abs(change.delta_pts) < MIN_NAMED_PTS || !judged) return null;
    const dims = DIMENSIONS.filter((d) => d !== 'reason' && change.contributions.some((c) => c.dimension === d));
    return `across the board: no ${orList(dims)} more than its share${reason ? ` (${reasonWords(reason)})` : ''}`;
  }
  const list = causes.map((c, i) => `${causeWords(c, markdown)}${i === 0 ? detailWords(c, markdown) : ''}`).join(', ');
  return !causes[0]!.why && reason ? `${list}; overall ${reasonWords(reason)}` : list;
}

const TITLES: Record<Dimension, string> = {
  carrier: 'By carrier',
  campaign: 'By campaign',
  type: 'By message type',
  reason: 'By failure reason',
};
/** Rows listed per dimension in Slack; the rest are summed into one line. */
export const EXPLAIN_ROWS = 8;

function row(c: Contribution): string {
  const parts =
    c.dimension === 'reason'
      ? `${fmtInt(c.volume.before)} → ${fmtInt(c.volume.after)} failed seg`
      : `rate ${signedPts(c.rate_pts, 2)}, mix ${signedPts(c.mix_pts, 2)} · share ${fmtPct(c.share.before)} → ${fmtPct(c.share.after)}`;
  return `• ${escapeMrkdwn(c.label)}: *${signedPts(c.pts, 2)}* (${parts})`;
}

/** `/campaign-stats explain [words]`: the whole table, each dimension adding up to the change. */
export function explainMessage(
  change: Change | null,
  opts: { title: string; against: string; words: string },
): SlackMessage {
  if (!change) {
    const text = `Nothing to explain: ${opts.title} or the period before has no settled messages.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const head = `Delivery rate ${fmtPct(change.from)} → ${fmtPct(change.to)}: ${signedPts(change.delta_pts)} pts vs ${opts.against}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `What changed · ${opts.title}`.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: `*${head}*` } },
  ];
  const words = changeWords(change);
  if (words) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `What changed: ${words}.` } });
  for (const d of DIMENSIONS) {
    const list = change.contributions.filter((c) => c.dimension === d);
    if (!list.length) continue;
    const shown = list.slice(0, EXPLAIN_ROWS);
    const rest = list.slice(EXPLAIN_ROWS);
    const lines = shown.map(row);
    if (rest.length)
      lines.push(
        `• ${rest.length} more: ${signedPts(
          rest.reduce((a, c) => a + c.pts, 0),
          2,
        )} together`,
      );
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${TITLES[d]}* (adds up to ${signedPts(change.delta_pts, 2)})\n${lines.join('\n')}`.slice(
          0,
          SLACK_LIMITS.sectionText,
        ),
      },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Rate: the group's own delivery rate moved · mix: its share of sends moved (against the average) · groups under 100 settled segments in the two periods are pooled, never named · \`/campaign-stats explain ${escapeMrkdwn(opts.words)}\``,
      },
    ],
  });
  return { text: head, blocks };
}

/** The same table as plain text, for the CLI (`stats WORDS --explain`). */
export function formatChange(change: Change | null, against: string): string {
  if (!change) return 'Nothing to explain: this period or the one before has no settled messages.';
  const out = [
    `Delivery rate ${fmtPct(change.from)} → ${fmtPct(change.to)}: ${signedPts(change.delta_pts, 2)} pts vs ${against}`,
  ];
  const words = changeWords(change, false);
  if (words) out.push(`What changed: ${words}.`);
  for (const d of DIMENSIONS) {
    const list = change.contributions.filter((c) => c.dimension === d);
    if (!list.length) continue;
    out.push('', `${TITLES[d].padEnd(34)} ${'total'.padStart(8)}  ${'rate'.padStart(8)}  ${'mix'.padStart(8)}`);
    for (const c of list)
      out.push(
        `  ${c.label.slice(0, 32).padEnd(32)} ${signedPts(c.pts, 2).padStart(8)}  ${signedPts(c.rate_pts, 2).padStart(8)}  ${signedPts(c.mix_pts, 2).padStart(8)}${isNamed(c) ? '' : '  (never named)'}`,
      );
  }
  return out.join('\n');
}
