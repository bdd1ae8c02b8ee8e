import type { Knex } from 'knex';
import { isStatus, type Status } from '../domain/status';
import { fromDbTime, toDbTime } from '../db/dialect';
import type { ReadPlan } from './plan';

/** The filters a stats query narrows by (ids and stored carrier names, already resolved). */
export interface Scope {
  type: 'sms' | 'mms' | null;
  carrier: string | null;
  campaignId: string | null;
  accountId: string | null;
}

export interface Tally {
  status: Status;
  segments: number;
  messages: number;
}

/** Campaign and account filters need the campaign grain; everything else reads the small one. */
function countsTable(scope: Scope): string {
  return scope.campaignId || scope.accountId ? 'counts_campaign_hourly' : 'counts_hourly';
}

function narrow(qb: Knex.QueryBuilder, scope: Scope): Knex.QueryBuilder {
  if (scope.campaignId) qb.where('campaign_id', scope.campaignId);
  if (scope.accountId) qb.where('account_id', scope.accountId);
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

export async function countsByHour(db: Knex, scope: Scope, hourly: NonNullable<ReadPlan['hourly']>): Promise<Array<Tally & { hour: Date }>> {
  const qb = db(countsTable(scope)).select('hour', 'status', ...sums(db)).groupBy('hour', 'status');
  const rows = await inHours(narrow(qb, scope), hourly);
  return rows.flatMap((r: Record<string, unknown>) => {
    const t = tally(r);
    return t ? [{ ...t, hour: fromDbTime(r.hour) }] : [];
  });
}

export async function countsByCarrier(db: Knex, scope: Scope, hourly: NonNullable<ReadPlan['hourly']>): Promise<Array<Tally & { carrier: string }>> {
  const qb = db(countsTable(scope)).select('carrier', 'status', ...sums(db)).groupBy('carrier', 'status');
  const rows = await inHours(narrow(qb, scope), hourly);
  return rows.flatMap((r: Record<string, unknown>) => {
    const t = tally(r);
    return t ? [{ ...t, carrier: String(r.carrier) }] : [];
  });
}

export async function countsByCampaign(db: Knex, scope: Scope, hourly: NonNullable<ReadPlan['hourly']>): Promise<Array<Tally & { campaignId: string }>> {
  const qb = db('counts_campaign_hourly').select('campaign_id', 'status', ...sums(db)).groupBy('campaign_id', 'status');
  const rows = await inHours(narrow(qb, scope), hourly);
  return rows.flatMap((r: Record<string, unknown>) => {
    const t = tally(r);
    return t ? [{ ...t, campaignId: String(r.campaign_id) }] : [];
  });
}

/** Exact counts for a partial hour, straight from the messages table. */
export async function rawCounts(db: Knex, scope: Scope, from: Date, to: Date): Promise<Array<Tally & { carrier: string; campaignId: string }>> {
  const qb = db('messages')
    .select('carrier', 'campaign_id', 'status', db.raw('SUM(segments) AS segments'), db.raw('COUNT(*) AS messages'))
    .where('sent_at', '>=', toDbTime(from))
    .andWhere('sent_at', '<', toDbTime(to))
    .groupBy('carrier', 'campaign_id', 'status');
  const rows = await narrow(qb, scope);
  return rows.flatMap((r: Record<string, unknown>) => {
    const t = tally(r);
    return t ? [{ ...t, carrier: String(r.carrier), campaignId: String(r.campaign_id) }] : [];
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

export async function campaignNames(db: Knex, ids: string[]): Promise<Map<string, { name: string | null; accountId: string }>> {
  const out = new Map<string, { name: string | null; accountId: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db('campaigns').select('id', 'name', 'account_id').whereIn('id', ids.slice(i, i + 500));
    for (const r of rows) out.set(r.id, { name: r.name, accountId: r.account_id });
  }
  return out;
}
