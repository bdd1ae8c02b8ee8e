import type { Knex } from 'knex';
import { stringify } from 'csv-stringify/sync';
import { chartFor } from '../charts/chart.service';
import type { Config } from '../config';
import { accountNames, campaignNames } from '../db/directory.repository';
import { sees, type AccountScope } from '../domain/account-scope';
import type { Change } from '../domain/explain';
import { resolvePeriod, type Period } from '../domain/period';
import { computeRates } from '../domain/rates';
import { lastOccurrence, type ReportKind } from '../domain/report-schedule';
import type { ChartImage } from '../messages/message';
import { effectiveChannels, zoneOf } from '../settings/channels';
import { teamKey, type ChannelSettings } from '../settings/channel-settings.repository';
import { explainStats } from '../stats/explain.service';
import { exportInMemory } from '../stats/export.service';
import type { Breakdown, StatsResult } from '../stats/stats.service';
import { autoUnsubscribesBetween } from '../unsubscribes/unsubscribes.repository';
import type { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { reportMessage } from './report.blocks';

/** A campaign is ranked best or worst only with this many settled segments (a handful swings the rate). */
export const MIN_RANKED_SEGMENTS = 100;

export interface RankedCampaign {
  id: string;
  name: string;
  segments: number;
  delivery: number | null;
}

/** Everything a weekly or monthly report says. */
export interface ReportData {
  kind: ReportKind;
  label: string;
  zone: string;
  accountName: string | null;
  period: StatsResult;
  before: Breakdown;
  change: Change | null;
  beforeDeliveryRate: number | null;
  best: RankedCampaign[];
  worst: RankedCampaign[];
  undeliveredCost: number;
  segmentPrice: number;
  autoUnsubscribed: number;
}

/** The report of a channel for the occurrence due at or before `now`. */
export async function buildReport(
  db: Knex,
  config: Config,
  s: ChannelSettings,
  kind: ReportKind,
  now: Date,
  accounts: AccountScope,
): Promise<{ data: ReportData; period: Period; words: string } | null> {
  const schedule = s.reports[kind];
  if (!schedule) return null;
  const zone = zoneOf(s, config);
  const occ = lastOccurrence(schedule, zone, now);
  const scoped = s.accountId !== null && sees(accounts, s.accountId) ? s.accountId : null;
  const name = scoped ? ((await accountNames(db, [scoped])).get(scoped) ?? scoped) : null;
  const words = `${occ.period.from}..${occ.period.to}`;
  const period = resolvePeriod(words, zone, now) as Period;
  const before = resolvePeriod(`${occ.before.from}..${occ.before.to}`, zone, now) as Period;
  const q = {
    period,
    type: null,
    carrier: null,
    campaign: null,
    account: scoped ? { id: scoped, name } : null,
    accounts,
  };
  const [explained, autos] = await Promise.all([
    explainStats(db, q, now, { before }),
    autoUnsubscribesBetween(db, period.start, period.end, accounts),
  ]);
  const ranked = explained.after.campaigns
    .filter((c) => c.totals.segments >= MIN_RANKED_SEGMENTS && c.rates.delivery !== null)
    .sort((a, b) => b.rates.delivery! - a.rates.delivery! || b.totals.segments - a.totals.segments);
  // the top and the bottom of the ranking, three each at most, never the same campaign in both
  const best = ranked.slice(0, Math.min(3, Math.ceil(ranked.length / 2)));
  const worst = ranked.slice(best.length).reverse().slice(0, 3);
  const names = await campaignNames(
    db,
    [...best, ...worst].map((c) => c.id),
  );
  const rank = (c: (typeof ranked)[number]): RankedCampaign => ({
    id: c.id,
    name: names.get(c.id) ?? c.id,
    segments: c.totals.segments,
    delivery: c.rates.delivery,
  });
  return {
    period,
    words,
    data: {
      kind,
      label: occ.label,
      zone,
      accountName: name,
      period: explained.after,
      before: explained.before,
      change: explained.change,
      beforeDeliveryRate: computeRates(explained.before.statuses).delivery,
      best: best.map(rank),
      worst: worst.map(rank),
      undeliveredCost: explained.after.statuses.undelivered.segments * config.segmentPrice,
      segmentPrice: config.segmentPrice,
      autoUnsubscribed: autos.length,
    },
  };
}

export interface ReportDeps {
  db: Knex;
  config: Config;
  workspaces: WorkspaceDirectory;
}

/** Builds and posts one channel's report, then its CSV files in the thread. */
export async function postReport(
  deps: ReportDeps,
  s: ChannelSettings,
  kind: ReportKind,
  now: Date,
): Promise<{ posted: boolean; ts?: string; files?: number; why?: string }> {
  const notifier = await deps.workspaces.notifierFor(s.teamId);
  if (!notifier) return { posted: false, why: 'the workspace has no installation' };
  const accounts = await deps.workspaces.accountsOf(s);
  const built = await buildReport(deps.db, deps.config, s, kind, now, accounts);
  if (!built) return { posted: false, why: `no ${kind} report in this channel` };
  const { data, period, words } = built;
  const chart: ChartImage =
    data.period.totals.messages > 0
      ? await chartFor(data.period, deps.config, notifier.uploadPng, {
          title: data.label,
          filename: `report-${kind}-${period.start.toISOString().slice(0, 10)}.png`,
        }).catch(() => null)
      : null;
  let ts: string;
  try {
    ts = await notifier.post({ channel: s.channelId, ...reportMessage(data, chart) });
  } catch (err) {
    if (!chart) throw err;
    ts = await notifier.post({ channel: s.channelId, ...reportMessage(data, null) });
  }
  if (data.period.totals.messages === 0) return { posted: true, ts, files: 0 };
  const q = { period, type: null, carrier: null, campaign: null, account: null, accounts };
  const out = await exportInMemory(deps.db, q, `${kind} ${words}`);
  if (out.type !== 'files') {
    await notifier.post({
      channel: s.channelId,
      threadTs: ts,
      text: `The CSV files of this report would pass ${out.max.toLocaleString('en-US')} rows: \`campaign-stats export ${words} --out FILE\` on the server writes them whole.`,
    });
    return { posted: true, ts, files: 0 };
  }
  await notifier.uploadFiles({
    channel: s.channelId,
    threadTs: ts,
    comment: `The ${kind} report's figures, day by day (dates in ${data.zone}).`,
    files: out.files.map((f) => ({
      filename: f.filename,
      content: Buffer.from(stringify([f.columns as unknown as string[], ...f.rows])),
    })),
  });
  return { posted: true, ts, files: out.files.length };
}

/** Report slots due at `now`: each channel's latest weekly and monthly occurrence, once each. */
export async function reportSlotsDue(db: Knex, config: Config, now: Date) {
  const out: Array<{ slot: string; dueAt: Date; context: { settings: ChannelSettings; kind: ReportKind } }> = [];
  for (const s of await effectiveChannels(db, config))
    for (const kind of ['weekly', 'monthly'] as const) {
      const schedule = s.reports[kind];
      if (!schedule) continue;
      const occ = lastOccurrence(schedule, zoneOf(s, config), now);
      out.push({
        slot: `${teamKey(s.teamId)}/${s.channelId}/${kind}/${occ.period.from}`,
        dueAt: occ.dueAt,
        context: { settings: s, kind },
      });
    }
  return out;
}
