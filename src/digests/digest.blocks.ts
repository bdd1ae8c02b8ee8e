import type { KnownBlock } from '@slack/types';
import { changeWords } from '../stats/explain.blocks';
import { DateTime } from 'luxon';
import { STATUS_LABELS, STATUSES } from '../domain/status';
import { imageBlock, type ChartImage, type SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtInt, fmtPct, money, plural } from '../messages/mrkdwn';
import type { DigestData } from './digest.service';
import type { ReasonCount } from '../stats/stats.service';
import { campaignLine, changeText } from '../messages/lines';
import { deliveryChange } from '../domain/rates';
import { ROWS_PER_MESSAGE, SLACK_LIMITS } from '../messages/block-limits';

/** "Friday Nov 27": how a digest's day is named, in its title and on the local page's button. */
export function digestDayName(date: string): string {
  return DateTime.fromISO(date).toFormat('cccc LLL d');
}

/** The digest: a parent message within Slack's limits, with the long lists in its thread. */
export function digestMessages(d: DigestData, chart: ChartImage): { parent: SlackMessage; thread: SlackMessage[] } {
  const dayName = digestDayName(d.date);
  const s = d.day;
  if (s.totals.messages === 0) {
    const text = `Daily digest · ${dayName}: no campaigns were sent (${d.zone}).`;
    return {
      parent: {
        text,
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `:sunrise: *Daily digest · ${dayName}*: no campaigns were sent.` },
          },
        ],
      },
      thread: [],
    };
  }
  const total = s.totals.segments;
  const moved = deliveryChange(s.rates.delivery, d.trailingDeliveryRate);
  const changed = changeWords(d.change ?? null);
  const worst = [...s.carriers]
    .filter((c) => c.totals.messages >= 20 && c.rates.delivery !== null)
    .sort((a, b) => (a.rates.delivery ?? 1) - (b.rates.delivery ?? 1))
    .slice(0, 3);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Daily digest · ${dayName}` } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${d.zone}${d.accountId ? ` · account ${escapeMrkdwn(d.accountName ?? d.accountId)}` : ''}`,
        },
      ],
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*Total Segments: ${fmtInt(total)}* · ${plural(s.totals.messages, 'message')}\n` +
          `Delivery rate *${fmtPct(s.rates.delivery)}*` +
          (moved ? ` ${changeText(moved, `the 7-day average of ${fmtPct(d.trailingDeliveryRate)}`)}` : '') +
          (changed ? `\nWhat changed: ${changed}` : '') +
          `\n*${money(d.undeliveredCost)}* spent on undelivered segments (${fmtInt(s.statuses.undelivered.segments)} × ${money(d.segmentPrice)})`,
      },
    },
    {
      type: 'section',
      fields: STATUSES.map((st) => ({
        type: 'mrkdwn' as const,
        text: `*${STATUS_LABELS[st]}*\n${fmtInt(s.statuses[st].segments)} seg · ${fmtPct(total ? s.statuses[st].segments / total : null)}`,
      })),
    },
  ];
  const campaignLines = s.campaigns.map((c) =>
    campaignLine({ id: c.id, name: c.name, segments: c.totals.segments, delivery: c.rates.delivery }),
  );
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: [
        `*Campaigns sent (${s.campaigns.length})*`,
        ...campaignLines.slice(0, 5),
        ...(campaignLines.length > 5 ? [`_…and ${campaignLines.length - 5} more in the thread_`] : []),
        worst.length
          ? `*Worst carriers*\n${worst.map((c) => `• ${escapeMrkdwn(c.carrier || 'Unknown')} — ${fmtPct(c.rates.delivery)} delivered, ${fmtPct(c.rates.undelivered)} undelivered, ${fmtPct(c.rates.unreachable)} unreachable`).join('\n')}`
          : null,
        topReasons(s.reasons),
      ]
        .filter(Boolean)
        .join('\n')
        .slice(0, SLACK_LIMITS.sectionText),
    },
  });
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*Numbers:* ${fmtInt(d.autoUnsubscribed)} auto-unsubscribed · ${fmtInt(d.atRisk)} at risk · *Open alerts:* ${fmtInt(d.openAlerts)}`,
    },
  });
  if (chart) blocks.push(imageBlock(chart));
  if (s.provisional_note)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: ${s.provisional_note}` }],
    });
  const thread: SlackMessage[] = [];
  for (let i = 5; i < campaignLines.length; i += ROWS_PER_MESSAGE) {
    const lines = campaignLines.slice(i, i + ROWS_PER_MESSAGE);
    thread.push({
      text: `Campaigns ${i + 1}–${i + lines.length}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, SLACK_LIMITS.sectionText) } },
      ],
    });
  }
  const text = `Daily digest · ${dayName}: ${fmtInt(total)} segments, delivery rate ${fmtPct(s.rates.delivery)}, ${money(d.undeliveredCost)} spent on undelivered segments.`;
  return { parent: { text, blocks }, thread };
}

/** "*Top reasons* Carrier-blocked 120 (carrier) · Handset unreachable 30 (recipient)": the day's why. */
export function topReasons(reasons: readonly ReasonCount[], top = 4): string | null {
  if (!reasons.length) return null;
  return `*Top reasons:* ${reasons
    .slice(0, top)
    .map((r) => `${escapeMrkdwn(r.label)} ${fmtInt(r.messages)} (${r.attribution})`)
    .join(' · ')}`;
}
