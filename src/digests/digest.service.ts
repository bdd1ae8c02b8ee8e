import type { KnownBlock } from '@slack/types';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { liveAlerts } from '../alerts/alerts.repository';
import type { Config } from '../config';
import { resolvePeriod, type Period } from '../domain/period';
import { STATUS_LABELS, STATUSES } from '../domain/status';
import { computeRates } from '../domain/rates';
import { effectiveChannels, zoneOf } from '../settings/channels';
import type { ChannelSettings } from '../settings/channel-settings.repository';
import { escapeMrkdwn, fmtInt, fmtPct, plural } from '../slack/blocks/mrkdwn';
import { imageBlock, type ChartImage, type SlackMessage } from '../slack/blocks/stats.blocks';
import type { Notifier } from '../slack/notifier';
import { chartFor } from '../slack/chart.service';
import { getStats, type StatsResult } from '../stats/stats.service';
import { lastSendBefore } from '../db/messages.repository';
import { atRiskSubscribers, autoUnsubscribesBetween } from '../unsubscribes/unsubscribes.repository';

export interface DigestData {
  channelId: string;
  date: string;
  zone: string;
  accountId: string | null;
  day: StatsResult;
  trailingDeliveryRate: number | null;
  week: StatsResult;
  undeliveredCost: number;
  autoUnsubscribed: number;
  atRisk: number;
  openAlerts: number;
  segmentPrice: number;
}

const money = (x: number) => `$${x.toFixed(2)}`;

/** Everything the digest for a channel's local day `date` says. */
export async function buildDigest(db: Knex, config: Config, s: ChannelSettings, date: string, now: Date): Promise<DigestData> {
  const zone = zoneOf(s, config);
  const account = s.accountId ? { id: s.accountId, name: null } : null;
  const day = resolvePeriod(date, zone, now) as Period;
  const trailing = resolvePeriod(`${DateTime.fromISO(date).minus({ days: 7 }).toISODate()}..${DateTime.fromISO(date).minus({ days: 1 }).toISODate()}`, zone, now) as Period;
  const week = resolvePeriod(`${DateTime.fromISO(date).minus({ days: 6 }).toISODate()}..${date}`, zone, now) as Period;
  const q = (period: Period) => ({ period, type: null, carrier: null, campaign: null, account });
  const [dayStats, trailingStats, weekStats, autos, atRisk, alerts] = await Promise.all([
    getStats(db, q(day), now),
    getStats(db, q(trailing), now, { totalsOnly: true }),
    getStats(db, q(week), now),
    autoUnsubscribesBetween(db, day.start, day.end, s.accountId),
    atRiskSubscribers(db, Math.max(1, config.autoUnsubscribeAfter - 2), config.autoUnsubscribeAfter - 1, s.accountId, 100_000),
    liveAlerts(db, s.channelId),
  ]);
  return {
    channelId: s.channelId,
    date,
    zone,
    accountId: s.accountId,
    day: dayStats,
    trailingDeliveryRate: computeRates(trailingStats.statuses).delivery,
    week: weekStats,
    undeliveredCost: dayStats.statuses.undelivered.segments * config.segmentPrice,
    autoUnsubscribed: autos.length,
    atRisk: atRisk.length,
    openAlerts: alerts.length,
    segmentPrice: config.segmentPrice,
  };
}

/** The digest: a parent message within Slack's limits, with the long lists in its thread. */
export function digestMessages(d: DigestData, chart: ChartImage): { parent: SlackMessage; thread: SlackMessage[] } {
  const dayName = digestDayName(d.date);
  const s = d.day;
  if (s.totals.messages === 0) {
    const text = `Daily digest · ${dayName}: no campaigns were sent (${d.zone}).`;
    return { parent: { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:sunrise: *Daily digest · ${dayName}*: no campaigns were sent.` } }] }, thread: [] };
  }
  const total = s.totals.segments;
  const delta = s.rates.delivery !== null && d.trailingDeliveryRate !== null ? (s.rates.delivery - d.trailingDeliveryRate) * 100 : null;
  const worst = [...s.carriers]
    .filter((c) => c.totals.messages >= 20 && c.rates.delivery !== null)
    .sort((a, b) => (a.rates.delivery ?? 1) - (b.rates.delivery ?? 1))
    .slice(0, 3);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Daily digest · ${dayName}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${d.zone}${d.accountId ? ` · account ${escapeMrkdwn(d.accountId)}` : ''}` }] },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*Total Segments: ${fmtInt(total)}* · ${plural(s.totals.messages, 'message')}\n` +
          `Delivery rate *${fmtPct(s.rates.delivery)}*` +
          (delta !== null ? ` (${delta >= 0 ? '▲' : '▼'} ${Math.abs(delta).toFixed(1)} pts vs the 7-day average of ${fmtPct(d.trailingDeliveryRate)})` : '') +
          `\n*${money(d.undeliveredCost)}* spent on undelivered segments (${fmtInt(s.statuses.undelivered.segments)} × ${money(d.segmentPrice)})`,
      },
    },
    {
      type: 'section',
      fields: STATUSES.map((st) => ({ type: 'mrkdwn' as const, text: `*${STATUS_LABELS[st]}*\n${fmtInt(s.statuses[st].segments)} seg · ${fmtPct(total ? s.statuses[st].segments / total : null)}` })),
    },
  ];
  const campaignLines = s.campaigns.map((c) => `• ${escapeMrkdwn(c.name ?? c.id)} — ${fmtInt(c.totals.segments)} seg, ${fmtPct(c.rates.delivery)} delivered`);
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: [
        `*Campaigns sent (${s.campaigns.length})*`,
        ...campaignLines.slice(0, 5),
        ...(campaignLines.length > 5 ? [`_…and ${campaignLines.length - 5} more in the thread_`] : []),
        worst.length ? `*Worst carriers*\n${worst.map((c) => `• ${escapeMrkdwn(c.carrier || 'Unknown')} — ${fmtPct(c.rates.delivery)} delivered, ${fmtPct(c.rates.undelivered)} undelivered, ${fmtPct(c.rates.unreachable)} unreachable`).join('\n')}` : null,
      ]
        .filter(Boolean)
        .join('\n')
        .slice(0, 3000),
    },
  });
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: `*Numbers:* ${fmtInt(d.autoUnsubscribed)} auto-unsubscribed · ${fmtInt(d.atRisk)} at risk · *Open alerts:* ${fmtInt(d.openAlerts)}` },
  });
  if (chart) blocks.push(imageBlock(chart));
  if (s.provisional_note) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: ${s.provisional_note}` }] });
  const thread: SlackMessage[] = [];
  for (let i = 5; i < campaignLines.length; i += 40) {
    const lines = campaignLines.slice(i, i + 40);
    thread.push({ text: `Campaigns ${i + 1}–${i + lines.length}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } }] });
  }
  const text = `Daily digest · ${dayName}: ${fmtInt(total)} segments, delivery rate ${fmtPct(s.rates.delivery)}, ${money(d.undeliveredCost)} spent on undelivered segments.`;
  return { parent: { text, blocks }, thread };
}

export interface DigestDeps {
  db: Knex;
  config: Config;
  notifier: Notifier;
}

/** Builds and posts one channel's digest for its local `date`. */
export async function postDigest(deps: DigestDeps, s: ChannelSettings, date: string, now: Date): Promise<{ posted: boolean; ts?: string }> {
  const data = await buildDigest(deps.db, deps.config, s, date, now);
  if (data.day.totals.messages === 0 && !s.digestWhenEmpty) return { posted: false };
  const chart: ChartImage = data.day.totals.messages > 0 ? await chartFor(data.week, deps.config, deps.notifier.uploadPng, { title: 'Last 7 days', filename: `digest-${date}.png` }) : null;
  const { parent, thread } = digestMessages(data, chart);
  let ts: string;
  try {
    ts = await deps.notifier.post({ channel: s.channelId, ...parent });
  } catch (err) {
    if (!chart) throw err;
    ts = await deps.notifier.post({ channel: s.channelId, ...digestMessages(data, null).parent });
  }
  for (const m of thread) await deps.notifier.post({ channel: s.channelId, threadTs: ts, ...m });
  return { posted: true, ts };
}

/** Digest slots due at `now`: each channel's local "today" once its digest time has passed, and yesterday's (caught up or skipped). */
export async function digestSlotsDue(db: Knex, config: Config, now: Date) {
  const out: Array<{ slot: string; dueAt: Date; context: { settings: ChannelSettings; date: string } }> = [];
  for (const s of (await effectiveChannels(db, config)).filter((c) => c.digestEnabled)) {
    const zone = zoneOf(s, config);
    const [h, m] = s.digestTime.split(':').map(Number) as [number, number];
    const local = DateTime.fromJSDate(now, { zone });
    for (const offset of [1, 0]) {
      const day = local.startOf('day').minus({ days: offset });
      const dueAt = day.set({ hour: h, minute: m });
      if (dueAt.toMillis() > now.getTime()) continue;
      // the digest posted on `day` covers the day before it
      const date = day.minus({ days: 1 }).toISODate()!;
      out.push({ slot: `${s.channelId}:${day.toISODate()}`, dueAt: dueAt.toJSDate(), context: { settings: s, date } });
    }
  }
  return out;
}

/**
 * The local day whose digest is worth showing on demand (the local page's button): the last
 * day before today with any sends, so a Sunday or a Monday shows Friday's campaigns rather
 * than an empty weekend; yesterday when nothing was ever sent.
 */
export async function latestDigestDate(db: Knex, zone: string, now: Date): Promise<string> {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const last = await lastSendBefore(db, today.toJSDate());
  return (last ? DateTime.fromJSDate(last, { zone }) : today.minus({ days: 1 })).toISODate()!;
}

/** "Friday Nov 27": how a digest's day is named, in its title and on the local page's button. */
export function digestDayName(date: string): string {
  return DateTime.fromISO(date).toFormat('cccc LLL d');
}
