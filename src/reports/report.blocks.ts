import type { KnownBlock } from '@slack/types';
import { deliveryChange } from '../domain/rates';
import { STATUS_LABELS } from '../domain/status';
import { SLACK_LIMITS } from '../messages/block-limits';
import { campaignLine, changeText } from '../messages/lines';
import { imageBlock, type ChartImage, type SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtInt, fmtPct, money } from '../messages/mrkdwn';
import { changeWords } from '../stats/explain.blocks';
import { periodRange, reasonLines } from '../stats/stats.blocks';
import type { ReportData } from './report.service';

/**
 * A weekly or monthly report (issue 18), pure: the period against the one before, what changed,
 * the best and worst campaigns, carriers, reasons, money on undelivered segments,
 * auto-unsubscribes and a chart. The CSV files follow in its thread.
 */
export function reportMessage(d: ReportData, chart: ChartImage): SlackMessage {
  const s = d.period;
  const kindTitle = d.kind === 'weekly' ? 'Weekly report' : 'Monthly report';
  const title = `${kindTitle} · ${d.label}`;
  const range = periodRange(s.period.start, s.period.end, s.period.timezone);
  const against = d.kind === 'weekly' ? 'the week before' : 'the month before';
  const section = (text: string): KnownBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: text.slice(0, SLACK_LIMITS.sectionText) },
  });
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, SLACK_LIMITS.headerText) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${range} · ${d.zone}${d.accountName ? ` · account ${escapeMrkdwn(d.accountName)}` : ' · every account this channel sees'}`,
        },
      ],
    },
  ];
  if (s.totals.messages === 0) {
    blocks.push(section(`No messages were sent in this ${d.kind === 'weekly' ? 'week' : 'month'}.`));
    return { text: `${title} (${range}): no messages.`, blocks };
  }
  const moved = deliveryChange(s.rates.delivery, d.beforeDeliveryRate);
  const changed = changeWords(d.change);
  blocks.push(
    section(
      [
        `*${fmtInt(s.totals.segments)} segments* · ${fmtInt(s.totals.messages)} messages (${fmtInt(d.before.totals.segments)} segments ${against})`,
        `Delivery rate *${fmtPct(s.rates.delivery)}*${moved ? ` ${changeText(moved, against)}` : ''}`,
        ...(changed ? [`What changed: ${changed}`] : []),
        `*${money(d.undeliveredCost)}* spent on undelivered segments (${fmtInt(s.statuses.undelivered.segments)} × ${money(d.segmentPrice)}) · *${fmtInt(d.autoUnsubscribed)}* number${d.autoUnsubscribed === 1 ? '' : 's'} auto-unsubscribed`,
      ].join('\n'),
    ),
  );
  const ranked = [
    ...(d.best.length ? ['*Best campaigns*', ...d.best.map(campaignLine)] : []),
    ...(d.worst.length ? ['*Worst campaigns*', ...d.worst.map(campaignLine)] : []),
  ];
  if (ranked.length) blocks.push(section(ranked.join('\n')));
  if (s.carriers.length)
    blocks.push(
      section(
        [
          '*Carriers*',
          ...s.carriers
            .slice(0, 6)
            .map(
              (c) =>
                `• ${escapeMrkdwn(c.carrier || 'Unknown')} — ${fmtInt(c.totals.segments)} seg, ${fmtPct(c.rates.delivery)} delivered, ${fmtPct(c.rates.undelivered)} undelivered`,
            ),
        ].join('\n'),
      ),
    );
  const why = reasonLines(s.reasons);
  if (why.length) blocks.push(section(why.join('\n')));
  if (chart) blocks.push(imageBlock(chart));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'The figures day by day, as CSV files, are in the thread.' }],
  });
  const text =
    `${title} (${range}, ${d.zone}): ${fmtInt(s.totals.segments)} segments, delivery rate ${fmtPct(s.rates.delivery)}` +
    `${moved ? ` ${changeText(moved, against)}` : ''}, ${money(d.undeliveredCost)} on undelivered segments. ` +
    `Undelivered ${fmtInt(s.statuses.undelivered.segments)}, ${STATUS_LABELS.delivered_confirmed} ${fmtInt(s.statuses.delivered_confirmed.segments)}.`;
  return { text, blocks };
}
