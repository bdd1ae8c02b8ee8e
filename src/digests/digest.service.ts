import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { liveAlerts } from '../alerts/alerts.repository';
import type { Config } from '../config';
import { resolvePeriod, type Period } from '../domain/period';
import { computeRates } from '../domain/rates';
import { atRiskBand } from '../domain/auto-unsubscribe';
import { effectiveChannels, zoneOf } from '../settings/channels';
import type { ChannelSettings } from '../settings/channel-settings.repository';
import type { ChartImage } from '../messages/message';
import { digestMessages } from './digest.blocks';
import { accountNames } from '../db/directory.repository';
import type { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { sees, type AccountScope } from '../domain/account-scope';
import { chartFor } from '../charts/chart.service';
import { getStats, type StatsResult } from '../stats/stats.service';
import { explainStats } from '../stats/explain.service';
import type { Change } from '../domain/explain';
import { lastSendBefore } from '../db/messages.repository';
import { atRiskSubscribers, autoUnsubscribesBetween } from '../unsubscribes/unsubscribes.repository';

export interface DigestData {
  channelId: string;
  date: string;
  zone: string;
  accountId: string | null;
  /** the account's name, when the channel is scoped to one */
  accountName?: string | null;
  day: StatsResult;
  trailingDeliveryRate: number | null;
  /** the day's delivery rate against the 7 days before, explained (null: nothing to compare) */
  change?: Change | null;
  week: StatsResult;
  undeliveredCost: number;
  autoUnsubscribed: number;
  atRisk: number;
  openAlerts: number;
  segmentPrice: number;
}

/** Everything the digest for a channel's local day `date` says. */
export async function buildDigest(
  db: Knex,
  config: Config,
  s: ChannelSettings,
  date: string,
  now: Date,
  /** what the channel may see: its workspace's accounts narrowed by its scope (WorkspaceDirectory.accountsOf) */
  accounts: AccountScope,
): Promise<DigestData> {
  const zone = zoneOf(s, config);
  // a scope outside what the channel may see (a disconnected account) is neither named nor counted
  const scoped = s.accountId !== null && sees(accounts, s.accountId) ? s.accountId : null;
  const name = scoped ? ((await accountNames(db, [scoped])).get(scoped) ?? scoped) : null;
  const account = scoped ? { id: scoped, name } : null;
  const day = resolvePeriod(date, zone, now) as Period;
  const trailing = resolvePeriod(
    `${DateTime.fromISO(date).minus({ days: 7 }).toISODate()}..${DateTime.fromISO(date).minus({ days: 1 }).toISODate()}`,
    zone,
    now,
  ) as Period;
  const week = resolvePeriod(`${DateTime.fromISO(date).minus({ days: 6 }).toISODate()}..${date}`, zone, now) as Period;
  const q = (period: Period) => ({ period, type: null, carrier: null, campaign: null, account, accounts });
  const [explained, weekStats, autos, atRisk, alerts] = await Promise.all([
    // the day against the 7 days before it, explained
    explainStats(db, q(day), now, { before: trailing }),
    getStats(db, q(week), now),
    autoUnsubscribesBetween(db, day.start, day.end, accounts),
    atRiskSubscribers(
      db,
      atRiskBand(config.autoUnsubscribeAfter).min,
      atRiskBand(config.autoUnsubscribeAfter).max,
      accounts,
      100_000,
    ),
    liveAlerts(db, s),
  ]);
  const { after: dayStats, before: trailingStats, change } = explained;
  return {
    channelId: s.channelId,
    date,
    zone,
    accountId: s.accountId,
    accountName: name,
    day: dayStats,
    trailingDeliveryRate: computeRates(trailingStats.statuses).delivery,
    change,
    week: weekStats,
    undeliveredCost: dayStats.statuses.undelivered.segments * config.segmentPrice,
    autoUnsubscribed: autos.length,
    atRisk: atRisk.length,
    openAlerts: alerts.length,
    segmentPrice: config.segmentPrice,
  };
}

export interface DigestDeps {
  db: Knex;
  config: Config;
  workspaces: WorkspaceDirectory;
}

/** Builds and posts one channel's digest for its local `date`. */
export async function postDigest(
  deps: DigestDeps,
  s: ChannelSettings,
  date: string,
  now: Date,
): Promise<{ posted: boolean; ts?: string; why?: string }> {
  const notifier = await deps.workspaces.notifierFor(s.teamId);
  if (!notifier) return { posted: false, why: 'the workspace has no installation' };
  const data = await buildDigest(deps.db, deps.config, s, date, now, await deps.workspaces.accountsOf(s));
  if (data.day.totals.messages === 0 && !s.digestWhenEmpty) return { posted: false };
  const chart: ChartImage =
    data.day.totals.messages > 0
      ? await chartFor(data.week, deps.config, notifier.uploadPng, {
          title: 'Last 7 days',
          filename: `digest-${date}.png`,
        })
      : null;
  const { parent, thread } = digestMessages(data, chart);
  let ts: string;
  try {
    ts = await notifier.post({ channel: s.channelId, ...parent });
  } catch (err) {
    if (!chart) throw err;
    ts = await notifier.post({ channel: s.channelId, ...digestMessages(data, null).parent });
  }
  for (const m of thread) await notifier.post({ channel: s.channelId, threadTs: ts, ...m });
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
      // one slot per workspace's record of the channel (a Slack Connect channel has one each);
      // the default workspace keeps the channel-only key it always had
      const owner = s.teamId ? `${s.teamId}/` : '';
      out.push({
        slot: `${owner}${s.channelId}:${day.toISODate()}`,
        dueAt: dueAt.toJSDate(),
        context: { settings: s, date },
      });
    }
  }
  return out;
}

/**
 * The local day whose digest is worth showing on demand (the local page's button): the last
 * day before today with any sends, so a Sunday or a Monday shows Friday's campaigns rather
 * than an empty weekend; yesterday when nothing was ever sent.
 */
export async function latestDigestDate(db: Knex, zone: string, now: Date, accounts: AccountScope): Promise<string> {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const last = await lastSendBefore(db, today.toJSDate(), accounts);
  return (last ? DateTime.fromJSDate(last, { zone }) : today.minus({ days: 1 })).toISODate()!;
}

/** `digest preview [DATE]`: the digest for a local day (yesterday by default), shown privately. */
export async function previewDigest(
  db: Knex,
  config: Config,
  s: ChannelSettings,
  date: string | null,
  now: Date,
  accounts: AccountScope,
): Promise<DigestData> {
  const day =
    date ??
    DateTime.fromJSDate(now, { zone: zoneOf(s, config) })
      .minus({ days: 1 })
      .toISODate()!;
  return buildDigest(db, config, s, day, now, accounts);
}
