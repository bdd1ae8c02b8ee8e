import type { Knex } from 'knex';
import {
  campaignWithin,
  explainChange,
  groupReason,
  isNamed,
  ownRateMoved,
  topCauses,
  type Contribution,
  OTHER_CAMPAIGNS_KEY,
  type Change,
  type ChangeInput,
  type GroupOutcome,
  type ReasonOutcome,
} from '../domain/explain';
import { previousPeriod, type Period } from '../domain/period';
import { settled } from '../domain/rates';
import {
  DELIVERY_STATUSES,
  emptyStatusCounts,
  FAILURE_STATUSES,
  SETTLED_STATUS_SET,
  type StatusCounts,
} from '../domain/status';
import {
  campaignNames,
  countsBy,
  outcomesByCampaign,
  planSplits,
  rawCounts,
  rawReasonCounts,
  reasonCounts,
  type Tally,
} from './stats.repository';
import {
  addTally,
  breakdown,
  groupTally,
  getStats,
  MAX_CAMPAIGNS,
  scopeOf,
  tallyReasons,
  type Breakdown,
  type ReasonCount,
  type StatsQuery,
  type StatsResult,
} from './stats.service';

const delivered = (s: StatusCounts) => s.delivered_confirmed.segments + s.delivered_unconfirmed.segments;
const outcome = (key: string, label: string, s: StatusCounts): GroupOutcome => ({
  key,
  label,
  delivered: delivered(s),
  settled: settled(s, 'segments'),
});
const TYPE_LABELS: Readonly<Record<string, string>> = { sms: 'SMS', mms: 'MMS' };

/** What explaining a change needs of one period: its totals and each group's delivered and settled segments. */
export interface PeriodOutcomes {
  statuses: StatusCounts;
  carriers: GroupOutcome[];
  campaigns: GroupOutcome[];
  types: GroupOutcome[];
  /** failed segments by reason (failure statuses only) */
  reasons: ReasonOutcome[];
}

function failuresByReason(reasons: readonly ReasonCount[]): ReasonOutcome[] {
  const by = new Map<string, ReasonOutcome>();
  for (const x of reasons) {
    if (!FAILURE_STATUSES.has(x.status)) continue;
    const cur = by.get(x.reason) ?? { key: x.reason, label: x.label, failed: 0 };
    cur.failed += x.segments;
    by.set(x.reason, cur);
  }
  return [...by.values()];
}

/** A full answer's outcomes (pure). */
export function outcomesOf(r: StatsResult): PeriodOutcomes {
  return {
    statuses: r.statuses,
    carriers: r.carriers.map((c) => outcome(c.carrier, c.carrier || 'Unknown', c.statuses)),
    campaigns: r.campaigns.map((c) => outcome(c.id, c.name ?? c.id, c.statuses)),
    types: r.types.map((t) => outcome(t.type, TYPE_LABELS[t.type] ?? t.type, t.statuses)),
    reasons: failuresByReason(r.reasons),
  };
}

/** The inputs of the explanation from the two periods' outcomes (pure: tested without I/O). */
export function changeInput(before: PeriodOutcomes, after: PeriodOutcomes, byType: boolean): ChangeInput {
  const totals = (o: PeriodOutcomes) => ({
    delivered: delivered(o.statuses),
    settled: settled(o.statuses, 'segments'),
  });
  // a group with nothing settled in a period (only queued, say) is not in it: no empty rows
  const live = (gs: GroupOutcome[]) => gs.filter((g) => g.settled !== 0 || g.delivered !== 0);
  return {
    totals: { before: totals(before), after: totals(after) },
    groups: {
      carrier: { before: live(before.carriers), after: live(after.carriers) },
      campaign: { before: live(before.campaigns), after: live(after.campaigns) },
      ...(byType ? { type: { before: live(before.types), after: live(after.types) } } : {}),
    },
    reasons: { before: before.reasons, after: after.reasons },
  };
}

/**
 * An earlier period's outcomes, read for explaining only: the database sums each group (a row
 * per carrier and type, one per campaign), where a full answer reads a row per day and status
 * and a per-day series. Same grains and plan as the answer's splits, so the same figures.
 */
export async function periodOutcomes(db: Knex, q: StatsQuery): Promise<PeriodOutcomes> {
  const scope = scopeOf(q);
  const plan = planSplits(q.period.start, q.period.end);
  const [byCarrier, byCampaign, raw, reasons] = await Promise.all([
    countsBy(db, 'carrier', scope, plan, { summed: true }),
    outcomesByCampaign(db, scope, plan),
    Promise.all(plan.raw.map((p) => rawCounts(db, scope, p.from, p.to))),
    periodReasons(db, q),
  ]);
  const statuses = emptyStatusCounts();
  const carriers = new Map<string, StatusCounts>();
  const types = new Map<string, StatusCounts>();
  const campaigns = new Map<string, GroupOutcome>(byCampaign.map((c) => [c.key, { ...c, label: c.key }]));
  for (const t of [...byCarrier, ...raw.flat().map((r) => ({ ...r, key: r.carrier }))]) {
    addTally(statuses, t);
    groupTally(carriers, t.key, t);
    groupTally(types, t.type!, t);
  }
  for (const r of raw.flat()) addPartialHour(campaigns, r);
  const groups = (m: Map<string, StatusCounts>, label: (k: string) => string) =>
    [...m].map(([k, st]) => outcome(k, label(k), st));
  return {
    statuses,
    carriers: groups(carriers, (k) => k || 'Unknown'),
    types: groups(types, (k) => TYPE_LABELS[k] ?? k),
    campaigns: [...campaigns.values()],
    reasons,
  };
}

/** A period's failed segments by reason, read as an answer reads them (whole days, hours, partial hours). */
async function periodReasons(db: Knex, q: StatsQuery): Promise<ReasonOutcome[]> {
  const scope = scopeOf(q);
  const plan = planSplits(q.period.start, q.period.end);
  const [reasons, raw] = await Promise.all([
    reasonCounts(db, scope, plan),
    Promise.all(plan.raw.map((p) => rawReasonCounts(db, scope, p.from, p.to))),
  ]);
  return failuresByReason(tallyReasons([...reasons, ...raw.flat()]));
}

/** A query narrowed to one group of an explanation (a carrier, a campaign, a type). */
function within(q: StatsQuery, c: Contribution): StatsQuery {
  if (c.dimension === 'carrier') return { ...q, carrier: c.key };
  if (c.dimension === 'type') return { ...q, type: c.key === 'mms' ? 'mms' : 'sms' };
  return { ...q, campaign: { id: c.key, name: null } };
}

/** A partial hour's raw counts added to its campaign's delivered and settled segments. */
function addPartialHour(
  campaigns: Map<string, GroupOutcome>,
  r: Tally & { campaignId: string },
  label: string = r.campaignId,
): void {
  const c = campaigns.get(r.campaignId) ?? { key: r.campaignId, label, delivered: 0, settled: 0 };
  if (DELIVERY_STATUSES.has(r.status)) c.delivered += r.segments;
  if (SETTLED_STATUS_SET.has(r.status)) c.settled += r.segments;
  campaigns.set(r.campaignId, c);
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
): Promise<{ change: Change | null; after: StatsResult; before: Breakdown }> {
  const prev = { ...q, period: opts.before ?? previousPeriod(q.period) };
  // the answer in full; of the period before, only what the explanation needs
  const [after, before] = await Promise.all([getStats(db, q, now, { allCampaigns: true }), periodOutcomes(db, prev)]);
  const afterOutcomes = outcomesOf(after);
  const change = explainChange(changeInput(before, afterOutcomes, q.type === null));
  // the answer as the answer shows it: the largest campaigns only
  const out = {
    after: { ...after, campaigns: after.campaigns.slice(0, MAX_CAMPAIGNS) },
    before: breakdown(before.statuses),
  };
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
  const explained: Change = {
    ...change,
    contributions: [
      ...change.contributions.filter((c) => c.dimension !== 'campaign'),
      ...kept.map((c) => ({ ...c, label: names.get(c.key)?.name ?? c.label })),
      ...merged,
    ].sort((a, b) => DIM_ORDER[a.dimension] - DIM_ORDER[b.dimension]),
  };
  // the first cause's own reason (its failures by reason in both periods, read within it) and,
  // for a carrier, the campaign that made most of its change
  const top = topCauses(explained).causes[0];
  if (!top) return { ...out, change: explained };
  const candidates =
    top.dimension === 'carrier'
      ? explained.contributions
          .filter((c) => c.dimension === 'campaign' && isNamed(c))
          .sort((a, b) => Math.abs(b.pts) - Math.abs(a.pts))
          .slice(0, CARRIER_CAMPAIGN_CANDIDATES)
      : [];
  const [r1, r0, c1, c0] = await Promise.all([
    ownRateMoved(top) ? periodReasons(db, within(q, top)) : null,
    ownRateMoved(top) ? periodReasons(db, within(prev, top)) : null,
    candidates.length ? campaignsWithin(db, within(q, top), candidates) : null,
    candidates.length ? campaignsWithin(db, within(prev, top), candidates) : null,
  ]);
  const why = r1 && r0 ? groupReason(top, { before: r0, after: r1 }) : null;
  const outcome = (o: PeriodOutcomes) => o.carriers.find((g) => g.key === top.key) ?? { delivered: 0, settled: 0 };
  const mostly =
    c1 && c0
      ? campaignWithin({ before: outcome(before), after: outcome(afterOutcomes) }, { before: c0, after: c1 })
      : null;
  const detail = { ...(why ? { why } : {}), ...(mostly ? { mostly } : {}) };
  return {
    ...out,
    change: Object.keys(detail).length
      ? { ...explained, contributions: explained.contributions.map((c) => (c === top ? { ...c, ...detail } : c)) }
      : explained,
  };
}

/** How many of the largest campaigns are looked for inside the carrier named first. */
const CARRIER_CAMPAIGN_CANDIDATES = 5;

/** The candidates' outcomes within one group (its query), whole days, hours and partial hours. */
async function campaignsWithin(db: Knex, q: StatsQuery, candidates: readonly Contribution[]): Promise<GroupOutcome[]> {
  const scope = scopeOf(q);
  const plan = planSplits(q.period.start, q.period.end);
  const keys = candidates.map((c) => c.key);
  const [summed, raw] = await Promise.all([
    outcomesByCampaign(db, scope, plan, keys),
    Promise.all(plan.raw.map((p) => rawCounts(db, scope, p.from, p.to))),
  ]);
  const label = new Map(candidates.map((c) => [c.key, c.label]));
  const by = new Map(summed.map((c) => [c.key, { ...c, label: label.get(c.key) ?? c.key }]));
  for (const r of raw.flat()) if (label.has(r.campaignId)) addPartialHour(by, r, label.get(r.campaignId));
  return [...by.values()];
}

const DIM_ORDER = { carrier: 0, campaign: 1, type: 2, reason: 3 } as const;

const sumOf = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
