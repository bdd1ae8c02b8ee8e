import type { Knex } from 'knex';
import {
  explainChange,
  isNamed,
  OTHER_CAMPAIGNS_KEY,
  type Change,
  type ChangeInput,
  type GroupOutcome,
} from '../domain/explain';
import { previousPeriod, type Period } from '../domain/period';
import { settled } from '../domain/rates';
import { FAILURE_STATUSES, type StatusCounts } from '../domain/status';
import { campaignNames } from './stats.repository';
import { getStats, MAX_CAMPAIGNS, type StatsQuery, type StatsResult } from './stats.service';

const delivered = (s: StatusCounts) => s.delivered_confirmed.segments + s.delivered_unconfirmed.segments;
const outcome = (key: string, label: string, s: StatusCounts): GroupOutcome => ({
  key,
  label,
  delivered: delivered(s),
  settled: settled(s, 'segments'),
});

/** The inputs of the explanation from the two periods' answers (pure: tested without I/O). */
export function changeInput(
  before: StatsResult,
  after: StatsResult,
  mms: { before: StatusCounts; after: StatusCounts } | null,
): ChangeInput {
  const carriers = (r: StatsResult) => r.carriers.map((c) => outcome(c.carrier, c.carrier || 'Unknown', c.statuses));
  const campaigns = (r: StatsResult) => r.campaigns.map((c) => outcome(c.id, c.name ?? c.id, c.statuses));
  const types = (r: StatsResult, m: StatusCounts) => {
    const all = outcome('sms', 'SMS', r.statuses);
    const mmsOut = outcome('mms', 'MMS', m);
    return [
      { ...all, delivered: all.delivered - mmsOut.delivered, settled: all.settled - mmsOut.settled },
      mmsOut,
    ].filter((g) => g.settled !== 0 || g.delivered !== 0);
  };
  const reasons = (r: StatsResult) => {
    const by = new Map<string, { key: string; label: string; failed: number }>();
    for (const x of r.reasons) {
      if (!FAILURE_STATUSES.has(x.status)) continue;
      const cur = by.get(x.reason) ?? { key: x.reason, label: x.label, failed: 0 };
      cur.failed += x.segments;
      by.set(x.reason, cur);
    }
    return [...by.values()];
  };
  return {
    totals: {
      before: { delivered: delivered(before.statuses), settled: settled(before.statuses, 'segments') },
      after: { delivered: delivered(after.statuses), settled: settled(after.statuses, 'segments') },
    },
    groups: {
      carrier: { before: carriers(before), after: carriers(after) },
      campaign: { before: campaigns(before), after: campaigns(after) },
      ...(mms ? { type: { before: types(before, mms.before), after: types(after, mms.after) } } : {}),
    },
    reasons: { before: reasons(before), after: reasons(after) },
  };
}

/** How many campaign rows an explanation keeps by name (the rest are summed into one). */
export const CAMPAIGN_ROWS = 20;

/**
 * The change in the delivery rate of a query against the period before, explained; null when
 * either period has nothing settled. Campaigns beyond the largest CAMPAIGN_ROWS contributions
 * are summed into one row, so each dimension still adds up to the change.
 */
export async function explainStats(
  db: Knex,
  q: StatsQuery,
  now: Date,
  /** the period to compare with: by default the one of the same length just before */
  opts: { before?: Period } = {},
): Promise<{ change: Change | null; after: StatsResult; before: StatsResult }> {
  const prev = { ...q, period: opts.before ?? previousPeriod(q.period) };
  const [after, before, mmsAfter, mmsBefore] = await Promise.all([
    getStats(db, q, now, { allCampaigns: true }),
    getStats(db, prev, now, { allCampaigns: true }),
    q.type ? null : getStats(db, { ...q, type: 'mms' }, now, { totalsOnly: true }),
    q.type ? null : getStats(db, { ...prev, type: 'mms' }, now, { totalsOnly: true }),
  ]);
  const change = explainChange(
    changeInput(before, after, mmsAfter && mmsBefore ? { before: mmsBefore.statuses, after: mmsAfter.statuses } : null),
  );
  // the answers as the answer shows them: the largest campaigns only
  const shown = (r: StatsResult) => ({ ...r, campaigns: r.campaigns.slice(0, MAX_CAMPAIGNS) });
  const out = { after: shown(after), before: shown(before) };
  if (!change) return { change: null, ...out };
  const campaigns = change.contributions.filter((c) => c.dimension === 'campaign');
  const kept = campaigns.filter(isNamed).slice(0, CAMPAIGN_ROWS);
  const rest = campaigns.filter((c) => !kept.includes(c));
  const names = await campaignNames(
    db,
    kept.map((c) => c.key),
  );
  const merged =
    rest.length === 0
      ? []
      : [
          {
            dimension: 'campaign' as const,
            key: OTHER_CAMPAIGNS_KEY,
            label: `${rest.length} other campaign${rest.length === 1 ? '' : 's'}`,
            rate_pts: sumOf(rest, (c) => c.rate_pts),
            mix_pts: sumOf(rest, (c) => c.mix_pts),
            pts: sumOf(rest, (c) => c.pts),
            volume: { before: sumOf(rest, (c) => c.volume.before), after: sumOf(rest, (c) => c.volume.after) },
            share: { before: sumOf(rest, (c) => c.share.before), after: sumOf(rest, (c) => c.share.after) },
          },
        ];
  return {
    ...out,
    change: {
      ...change,
      contributions: [
        ...change.contributions.filter((c) => c.dimension !== 'campaign'),
        ...kept.map((c) => ({ ...c, label: names.get(c.key)?.name ?? c.label })),
        ...merged,
      ].sort((a, b) => DIM_ORDER[a.dimension] - DIM_ORDER[b.dimension]),
    },
  };
}

const DIM_ORDER = { carrier: 0, campaign: 1, type: 2, reason: 3 } as const;

const sumOf = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
