import type { Knex } from 'knex';
import { REASONED_STATUSES } from '../domain/reasons';
import { DELIVERY_STATUSES, isStatus, SETTLED_STATUSES, type Status } from '../domain/status';
import { fromDbTime, quarterHourOf, toDbTime, unsorted } from '../db/dialect';
import { grainFillStates } from '../db/counts.repository';
import type { ReadPlan } from './plan';
import { ceilTo, DAY_MS, floorTo, HOUR_MS, onBounds, QUARTER_MS } from '../domain/time-buckets';

/** The filters a stats query narrows by (ids and stored carrier names, already resolved). */
export interface Scope {
  type: 'sms' | 'mms' | null;
  carrier: string | null;
  campaignId: string | null;
  /** the accounts counted (one named account, or the request's visible set); null = every account */
  accountIds: readonly string[] | null;
}

export interface Tally {
  status: Status;
  segments: number;
  messages: number;
}

/** The smallest grain that can answer the per-hour series for these filters. */
function seriesTable(scope: Scope): string {
  if (scope.campaignId || scope.accountIds) return 'counts_campaign_hourly';
  return scope.carrier !== null ? 'counts_hourly' : 'counts_series_hourly';
}

/** A grain or raw query narrowed to a scope's filters and accounts (never wider). */
export function narrow(qb: Knex.QueryBuilder, scope: Scope): Knex.QueryBuilder {
  if (scope.campaignId) qb.where('campaign_id', scope.campaignId);
  if (scope.accountIds) {
    if (scope.accountIds.length === 0)
      qb.whereRaw('1 = 0'); // sees no account: counts nothing
    else if (scope.accountIds.length === 1) qb.where('account_id', scope.accountIds[0]!);
    else qb.whereIn('account_id', [...scope.accountIds]);
  }
  if (scope.type) qb.where('type', scope.type);
  if (scope.carrier !== null) qb.where('carrier', scope.carrier);
  return qb;
}

function inHours(qb: Knex.QueryBuilder, hourly: NonNullable<ReadPlan['hourly']>): Knex.QueryBuilder {
  qb.where('hour', '>=', toDbTime(hourly.from)).andWhere('hour', '<', toDbTime(hourly.to));
  if (hourly.exclude.length) qb.whereNotIn('hour', hourly.exclude.map(toDbTime));
  return qb;
}

const sums = (db: Knex) => [db.raw('SUM(segments) AS segments'), db.raw('SUM(messages) AS messages')];

function tally(r: Record<string, unknown>): Tally | null {
  const status = String(r.status);
  if (!isStatus(status)) return null;
  return { status, segments: Number(r.segments), messages: Number(r.messages) };
}

export async function countsByHour(
  db: Knex,
  scope: Scope,
  hourly: NonNullable<ReadPlan['hourly']>,
): Promise<Array<Tally & { hour: Date }>> {
  const table = seriesTable(scope);
  // the series grains hold few rows per hour: summed here, not by a GROUP BY's temporary table
  const qb =
    table === 'counts_campaign_hourly'
      ? unsorted(
          db,
          db(table)
            .select('hour', 'status', ...sums(db))
            .groupBy('hour', 'status'),
        )
      : db(table).select('hour', 'status', 'segments', 'messages');
  const rows = await inHours(narrow(qb, scope), hourly);
  return rows.flatMap((r: Record<string, unknown>) => {
    const t = tally(r);
    return t ? [{ ...t, hour: fromDbTime(r.hour) }] : [];
  });
}

/** Whole UTC days, whole hours and partial hours of a period, for the carrier and campaign splits. */
export interface SplitPlan {
  days: { from: Date; to: Date } | null;
  hours: Array<{ from: Date; to: Date }>;
  raw: Array<{ from: Date; to: Date }>;
}

const H = HOUR_MS;
const D = DAY_MS;
export function planSplits(start: Date, end: Date): SplitPlan {
  const s = start.getTime();
  const e = end.getTime();
  const hs = ceilTo(s, H);
  const he = floorTo(e, H);
  if (hs >= he) return { days: null, hours: [], raw: [{ from: start, to: end }] };
  const raw = [
    ...(s < hs ? [{ from: start, to: new Date(hs) }] : []),
    ...(he < e ? [{ from: new Date(he), to: end }] : []),
  ];
  const ds = Math.ceil(hs / D) * D;
  const de = Math.floor(he / D) * D;
  if (ds >= de) return { days: null, hours: [{ from: new Date(hs), to: new Date(he) }], raw };
  const hours = [
    ...(hs < ds ? [{ from: new Date(hs), to: new Date(ds) }] : []),
    ...(de < he ? [{ from: new Date(de), to: new Date(he) }] : []),
  ];
  return { days: { from: new Date(ds), to: new Date(de) }, hours, raw };
}

function inRanges(qb: Knex.QueryBuilder, col: string, ranges: Array<{ from: Date; to: Date }>): Knex.QueryBuilder {
  return qb.where((w) => {
    for (const r of ranges) w.orWhere((x) => x.where(col, '>=', toDbTime(r.from)).andWhere(col, '<', toDbTime(r.to)));
  });
}

/**
 * Counts grouped by `by` (carrier or campaign) over a split plan's days and hours, each read
 * from the smallest grain that carries the filters: the daily grains when they can, else hourly.
 * Carriers come with their message type (the grains that carry carriers carry it): the answer's
 * SMS/MMS split costs no read of its own. `summed`: the database sums the daily rows too (fewer
 * rows back when the caller keeps only totals, as an earlier period's explanation does).
 */
export async function countsBy(
  db: Knex,
  by: 'carrier' | 'campaign_id',
  scope: Scope,
  plan: SplitPlan,
  opts: { summed?: boolean } = {},
): Promise<Array<Tally & { key: string; type: string | null }>> {
  const campaignish = Boolean(scope.campaignId || scope.accountIds) || by === 'campaign_id';
  const dailyOk = by === 'carrier' ? !campaignish : scope.carrier === null;
  const hourlyTable = campaignish ? 'counts_campaign_hourly' : 'counts_hourly';
  const dailyTable = by === 'carrier' ? 'counts_daily' : 'counts_campaign_daily';
  const keys = by === 'carrier' ? [by, 'type'] : [by];
  const grouped = (table: string) =>
    unsorted(
      db,
      db(table)
        .select(...keys, 'status', ...sums(db))
        .groupBy(...keys, 'status'),
    );
  const reads: Array<Promise<Record<string, unknown>[]>> = [];
  const hourRanges = [...plan.hours];
  if (plan.days && dailyOk) {
    // daily rows are few and already near the answer's grain: summing them here is cheaper than
    // a GROUP BY's temporary table (measured at 10 M messages: 50 ms → 20 ms)
    const daily = opts.summed ? grouped(dailyTable) : db(dailyTable).select(...keys, 'status', 'segments', 'messages');
    reads.push(inRanges(narrow(daily, scope), 'day', [plan.days]));
  } else if (plan.days) hourRanges.push(plan.days);
  if (hourRanges.length) reads.push(inRanges(narrow(grouped(hourlyTable), scope), 'hour', hourRanges));
  const rows = (await Promise.all(reads)).flat();
  const out: Array<Tally & { key: string; type: string | null }> = [];
  for (const r of rows) {
    const t = tally(r);
    if (t)
      out.push({
        status: t.status,
        segments: t.segments,
        messages: t.messages,
        key: String(r[by]),
        type: by === 'carrier' ? String(r.type) : null,
      });
  }
  return out;
}

/**
 * Delivered and settled segments by campaign over a split plan, summed by the database: what
 * explaining a change needs of the period before, one row per campaign instead of one per
 * campaign, day, type and status. Partial hours are the caller's (rawCounts).
 */
export async function outcomesByCampaign(
  db: Knex,
  scope: Scope,
  plan: Pick<SplitPlan, 'days' | 'hours'>,
  /** only these campaigns (read by the grains' leading key: a few campaigns cost little) */
  only?: readonly string[],
): Promise<Array<{ key: string; delivered: number; settled: number }>> {
  const dailyOk = scope.carrier === null;
  const inList = (list: readonly string[]) => list.map(() => '?').join(', ');
  const delivered = [...DELIVERY_STATUSES];
  const settled = [...SETTLED_STATUSES];
  const summed = (table: string) =>
    unsorted(
      db,
      db(table)
        .select(
          'campaign_id',
          db.raw(`SUM(CASE WHEN status IN (${inList(delivered)}) THEN segments ELSE 0 END) AS delivered`, delivered),
          db.raw(`SUM(CASE WHEN status IN (${inList(settled)}) THEN segments ELSE 0 END) AS settled`, settled),
        )
        .groupBy('campaign_id')
        .modify((qb) => (only ? qb.whereIn('campaign_id', [...only]) : qb)),
    );
  const reads: Array<Promise<Record<string, unknown>[]>> = [];
  const hourRanges = [...plan.hours];
  if (plan.days && dailyOk) reads.push(inRanges(narrow(summed('counts_campaign_daily'), scope), 'day', [plan.days]));
  else if (plan.days) hourRanges.push(plan.days);
  if (hourRanges.length) reads.push(inRanges(narrow(summed('counts_campaign_hourly'), scope), 'hour', hourRanges));
  const by = new Map<string, { key: string; delivered: number; settled: number }>();
  for (const r of (await Promise.all(reads)).flat()) {
    const key = String(r.campaign_id);
    const cur = by.get(key) ?? { key, delivered: 0, settled: 0 };
    cur.delivered += Number(r.delivered);
    cur.settled += Number(r.settled);
    by.set(key, cur);
  }
  return [...by.values()];
}

/** Exact counts for a partial hour, straight from the messages table. */
export async function rawCounts(
  db: Knex,
  scope: Scope,
  from: Date,
  to: Date,
): Promise<Array<Tally & { carrier: string; campaignId: string; type: string }>> {
  const qb = db('messages')
    .select(
      'carrier',
      'campaign_id',
      'type',
      'status',
      db.raw('SUM(segments) AS segments'),
      db.raw('COUNT(*) AS messages'),
    )
    .where('sent_at', '>=', toDbTime(from))
    .andWhere('sent_at', '<', toDbTime(to))
    .groupBy('carrier', 'campaign_id', 'type', 'status');
  const rows = await narrow(qb, scope);
  return rows.flatMap((r: Record<string, unknown>) => {
    const t = tally(r);
    return t ? [{ ...t, carrier: String(r.carrier), campaignId: String(r.campaign_id), type: String(r.type) }] : [];
  });
}

/** The answer computed the slow way, by GROUP BY over the raw messages table: for checks and benchmarks. */
export async function recount(db: Knex, scope: Scope, from: Date, to: Date): Promise<Tally[]> {
  const qb = db('messages')
    .select('status', db.raw('SUM(segments) AS segments'), db.raw('COUNT(*) AS messages'))
    .where('sent_at', '>=', toDbTime(from))
    .andWhere('sent_at', '<', toDbTime(to))
    .groupBy('status');
  const rows = await narrow(qb, scope);
  return rows.flatMap((r: Record<string, unknown>) => tally(r) ?? []);
}

export async function campaignNames(
  db: Knex,
  ids: string[],
): Promise<Map<string, { name: string | null; accountId: string }>> {
  const out = new Map<string, { name: string | null; accountId: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db('campaigns')
      .select('id', 'name', 'account_id')
      .whereIn('id', ids.slice(i, i + 500));
    for (const r of rows) out.set(r.id, { name: r.name, accountId: r.account_id });
  }
  return out;
}

/**
 * Failures by status and provider error code (0: none) over a split plan's whole UTC days and
 * hours: whole days from the daily reason grain when no campaign or account narrows the answer,
 * everything else from the hourly campaign grain.
 */
export async function reasonCounts(
  db: Knex,
  scope: Scope,
  plan: Pick<SplitPlan, 'days' | 'hours'>,
): Promise<Array<Tally & { errorCode: number | null }>> {
  const campaignish = Boolean(scope.campaignId || scope.accountIds);
  const hourRanges = [...plan.hours, ...(plan.days && campaignish ? [plan.days] : [])];
  const grouped = (table: string) =>
    narrow(
      db(table)
        .select('status', 'error_code', ...sums(db))
        .groupBy('status', 'error_code'),
      scope,
    );
  const reads: Array<Promise<Record<string, unknown>[]>> = [];
  if (plan.days && !campaignish) reads.push(unsorted(db, inRanges(grouped('counts_reason_daily'), 'day', [plan.days])));
  if (hourRanges.length)
    reads.push(unsorted(db, inRanges(grouped('counts_reason_campaign_hourly'), 'hour', hourRanges)));
  return (await Promise.all(reads)).flat().flatMap((r) => {
    const t = tally(r);
    return t ? [{ ...t, errorCode: Number(r.error_code) || null }] : [];
  });
}

/** The same for a partial hour, from the raw messages. */
export async function rawReasonCounts(
  db: Knex,
  scope: Scope,
  from: Date,
  to: Date,
): Promise<Array<Tally & { errorCode: number | null }>> {
  const qb = db('messages')
    .select('status', 'error_code', db.raw('SUM(segments) AS segments'), db.raw('COUNT(*) AS messages'))
    .where('sent_at', '>=', toDbTime(from))
    .andWhere('sent_at', '<', toDbTime(to))
    .whereIn('status', [...REASONED_STATUSES])
    .groupBy('status', 'error_code');
  return (await narrow(qb, scope)).flatMap((r: Record<string, unknown>) => {
    const t = tally(r);
    return t ? [{ ...t, errorCode: r.error_code === null ? null : Number(r.error_code) }] : [];
  });
}

/**
 * Exact counts for many partial hours (a long period in a :30 or :45 zone has two a day) in a
 * bounded number of queries — one per 500 pieces — instead of one each. Pieces on 15-minute
 * bounds (every local day boundary is one) are read from the 15-minute grain; the others (a
 * period ending now) from the raw messages, grouped by 15-minute bucket. Rows are given back
 * to the piece their bucket lies in; pieces are disjoint.
 */
export async function rawCountsByPiece(
  db: Knex,
  scope: Scope,
  pieces: ReadonlyArray<{ from: Date; to: Date }>,
): Promise<Tally[][]> {
  const out: Tally[][] = pieces.map(() => []);
  const Q = QUARTER_MS;
  const onQuarters = (p: { from: Date; to: Date }) => onBounds(p, Q);
  const indexed = pieces.map((piece, i) => ({ piece, i }));
  const bucket = quarterHourOf(db, 'sent_at').toQuery();
  // a 15-minute grain still being filled (added to a live database) is not read yet
  const grainReady = ((await grainFillStates(db)).get('counts_quarter') ?? 'ready') === 'ready';
  const fromQuarters = (p: { from: Date; to: Date }) => grainReady && onQuarters(p);
  for (const [fromGrain, list] of [
    [true, indexed.filter((x) => fromQuarters(x.piece))],
    [false, indexed.filter((x) => !fromQuarters(x.piece))],
  ] as const) {
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500);
      const ranges = chunk.map((x) => x.piece);
      const rows = fromGrain
        ? await inRanges(
            narrow(
              db('counts_quarter')
                .select('quarter AS bucket', 'status', ...sums(db))
                .groupBy('quarter', 'status'),
              scope,
            ),
            'quarter',
            ranges,
          )
        : await inRanges(
            narrow(
              db('messages')
                .select(
                  db.raw(`${bucket} AS bucket`),
                  'status',
                  db.raw('SUM(segments) AS segments'),
                  db.raw('COUNT(*) AS messages'),
                )
                .groupBy(db.raw(bucket), 'status'),
              scope,
            ),
            'sent_at',
            ranges,
          );
      for (const r of rows as Array<Record<string, unknown>>) {
        const t = tally(r);
        if (!t) continue;
        const start = fromGrain ? fromDbTime(r.bucket).getTime() : Number(r.bucket) * Q;
        const k = ranges.findIndex((p) => p.from.getTime() < start + Q && p.to.getTime() > start);
        if (k >= 0) out[chunk[k]!.i]!.push(t);
      }
    }
  }
  return out;
}
