import type { Knex } from 'knex';
import { accountFilter, narrowTo, type AccountScope } from '../domain/account-scope';
import { formatInZone, isProvisional, PROVISIONAL_HOURS, type Period } from '../domain/period';
import { computeRates, type Rates } from '../domain/rates';
import { emptyStatusCounts, STATUSES, type Status, type StatusCounts } from '../domain/status';
import { REASONS, reasonOf, type Attribution, type ReasonCode } from '../domain/reasons';
import { dayIndex, planReads } from './plan';
import {
  campaignNames,
  countsBy,
  countsByHour,
  planSplits,
  rawCounts,
  rawCountsByPiece,
  rawReasonCounts,
  reasonCounts,
  type Scope,
  type Tally,
} from './stats.repository';

export interface StatsQuery {
  period: Period;
  type: 'sms' | 'mms' | null;
  carrier: string | null;
  campaign: { id: string; name: string | null } | null;
  account: { id: string; name: string | null } | null;
  /** the accounts this request may see (default: every account); `account` is always inside it */
  accounts: AccountScope;
}

export interface Breakdown {
  totals: { segments: number; messages: number };
  statuses: StatusCounts;
  rates: Rates;
  message_rates: Rates;
}

export interface StatsResult extends Breakdown {
  period: { start: string; end: string; timezone: string; label: string };
  filters: { type: 'sms' | 'mms' | null; carrier: string | null; campaign: string | null; account: string | null };
  provisional: boolean;
  provisional_note: string | null;
  series: Array<{ date: string; statuses: StatusCounts; totals: { segments: number; messages: number } }>;
  carriers: Array<Breakdown & { carrier: string }>;
  /** SMS and MMS (those sent in the period), most segments first */
  types: Array<Breakdown & { type: string }>;
  /** the largest campaigns by segments, at most MAX_CAMPAIGNS; campaigns_count says how many there were */
  campaigns: Array<Breakdown & { id: string; name: string | null; account_id: string }>;
  campaigns_count: number;
  /** why messages were not delivered: each status × reason, most messages first (not in totals-only answers) */
  reasons: ReasonCount[];
}

export interface ReasonCount {
  status: Status;
  reason: ReasonCode;
  label: string;
  attribution: Attribution;
  segments: number;
  messages: number;
}

/** Tallies by status and error code → counts by status and reason (the code table decides). */
export function tallyReasons(rows: ReadonlyArray<Tally & { errorCode: number | null }>): ReasonCount[] {
  const out = new Map<string, ReasonCount>();
  for (const r of rows) {
    const reason = reasonOf(r.status, r.errorCode);
    if (reason === null) continue;
    const key = `${r.status}|${reason}`;
    const c = out.get(key) ?? {
      status: r.status,
      reason,
      label: REASONS[reason].label,
      attribution: REASONS[reason].attribution,
      segments: 0,
      messages: 0,
    };
    c.segments += r.segments;
    c.messages += r.messages;
    out.set(key, c);
  }
  return [...out.values()]
    .filter((c) => c.messages !== 0)
    .sort(
      (a, b) =>
        b.messages - a.messages ||
        b.segments - a.segments ||
        a.reason.localeCompare(b.reason) ||
        a.status.localeCompare(b.status),
    );
}

export const MAX_CAMPAIGNS = 50;

/** A tally added into counts by status. */
export function addTally(into: StatusCounts, t: Tally): void {
  into[t.status].segments += t.segments;
  into[t.status].messages += t.messages;
}

export function breakdown(statuses: StatusCounts): Breakdown {
  let segments = 0;
  let messages = 0;
  for (const s of STATUSES) {
    segments += statuses[s].segments;
    messages += statuses[s].messages;
  }
  return {
    totals: { segments, messages },
    statuses,
    rates: computeRates(statuses, 'segments'),
    message_rates: computeRates(statuses, 'messages'),
  };
}

/** A tally added into its group's counts by status (the group made when first seen). */
export function groupTally<K extends string>(map: Map<K, StatusCounts>, key: K, t: Tally): void {
  const c = map.get(key) ?? emptyStatusCounts();
  map.set(key, c);
  addTally(c, t);
}

const bySegmentsDesc = (a: Breakdown, b: Breakdown) => b.totals.segments - a.totals.segments;

/** The filters a query narrows every read by: the one place a query becomes a Scope (answers, export, drill-down). */
export function scopeOf(q: StatsQuery): Scope {
  return {
    type: q.type,
    carrier: q.carrier,
    campaignId: q.campaign?.id ?? null,
    // an account named by the query is looked for *within* the request's accounts, never instead of them
    accountIds: accountFilter(q.account ? narrowTo(q.accounts, q.account.id) : q.accounts),
  };
}

/**
 * The stats engine: one answer for any period and filters, read from the pre-aggregated
 * counts (whole hours) and the raw messages (partial hours), so it is exact.
 */
export async function getStats(
  db: Knex,
  q: StatsQuery,
  now: Date,
  /**
   * totalsOnly: no splits, no reasons (a comparison); reasons: false — the bench's baseline
   * without them; allCampaigns: every campaign in `campaigns`, not only the largest (names for
   * the largest only: what explaining a change needs)
   */
  opts: { totalsOnly?: boolean; reasons?: boolean; allCampaigns?: boolean } = {},
): Promise<StatsResult> {
  const scope = scopeOf(q);
  const plan = planReads(q.period.start, q.period.end, q.period.timezone);
  const splits = planSplits(q.period.start, q.period.end);
  const h = plan.hourly;
  const [byReason, byReasonRaw, byHour, byCarrier, byCampaign, splitRaw, raw] = await Promise.all([
    opts.totalsOnly || opts.reasons === false ? [] : reasonCounts(db, scope, splits),
    opts.totalsOnly || opts.reasons === false
      ? []
      : Promise.all(splits.raw.map((piece) => rawReasonCounts(db, scope, piece.from, piece.to))),
    h ? countsByHour(db, scope, h) : [],
    // a comparison needs only the totals: no splits
    opts.totalsOnly ? [] : countsBy(db, 'carrier', scope, splits),
    opts.totalsOnly ? [] : countsBy(db, 'campaign_id', scope, splits),
    opts.totalsOnly ? [] : Promise.all(splits.raw.map((piece) => rawCounts(db, scope, piece.from, piece.to))),
    // every partial hour of the series in a bounded number of queries, however long the period
    rawCountsByPiece(db, scope, plan.raw),
  ]);

  // totals and the per-day series: the series plan (local days); splits: the split plan (UTC days)
  const totals = emptyStatusCounts();
  const days = new Map<string, StatusCounts>(plan.days.map((d) => [d.date, emptyStatusCounts()]));
  const carriers = new Map<string, StatusCounts>();
  const campaigns = new Map<string, StatusCounts>();
  const types = new Map<string, StatusCounts>();
  const dayOf = dayIndex(plan);
  for (const t of byHour) {
    addTally(totals, t);
    const day = dayOf(t.hour);
    if (day) addTally(days.get(day)!, t);
  }
  raw.forEach((rows, i) => {
    const day = plan.raw[i]!.date;
    for (const t of rows) {
      addTally(totals, t);
      addTally(days.get(day)!, t);
    }
  });
  for (const t of byCarrier) {
    groupTally(carriers, t.key, t);
    groupTally(types, t.type!, t);
  }
  for (const t of byCampaign) groupTally(campaigns, t.key, t);
  for (const t of splitRaw.flat()) {
    groupTally(carriers, t.carrier, t);
    groupTally(campaigns, t.campaignId, t);
    groupTally(types, t.type, t);
  }

  // every campaign is counted; the answer lists the largest (names looked up for those only)
  const topCampaigns = [...campaigns]
    .map(([id, st]) => ({ id, ...breakdown(st) }))
    .filter((c) => c.totals.messages > 0)
    .sort(bySegmentsDesc);
  const listed = topCampaigns.slice(0, MAX_CAMPAIGNS);
  const names = await campaignNames(
    db,
    listed.map((c) => c.id),
  );
  const provisional = isProvisional(q.period, now);
  return {
    period: {
      start: formatInZone(q.period.start, q.period.timezone),
      end: formatInZone(q.period.end, q.period.timezone),
      timezone: q.period.timezone,
      label: q.period.label,
    },
    filters: { type: q.type, carrier: q.carrier, campaign: q.campaign?.id ?? null, account: q.account?.id ?? null },
    ...breakdown(totals),
    provisional,
    provisional_note: provisional
      ? `Provisional: this period includes the last ${PROVISIONAL_HOURS} hours, and delivery receipts are still arriving.`
      : null,
    series: [...days].map(([date, statuses]) => ({ date, statuses, totals: breakdown(statuses).totals })),
    carriers: [...carriers]
      .map(([carrier, s]) => ({ carrier, ...breakdown(s) }))
      .filter((c) => c.totals.messages > 0)
      .sort(bySegmentsDesc),
    types: [...types]
      .map(([type, st]) => ({ type, ...breakdown(st) }))
      .filter((c) => c.totals.messages > 0)
      .sort(bySegmentsDesc),
    campaigns: (opts.allCampaigns ? topCampaigns : listed).map((c) => ({
      ...c,
      name: names.get(c.id)?.name ?? null,
      account_id: names.get(c.id)?.accountId ?? '',
    })),
    campaigns_count: topCampaigns.length,
    reasons: tallyReasons([...byReason, ...byReasonRaw.flat()]),
  };
}
