import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';
import { RECIPIENT_UNSUBSCRIBED } from '../domain/status';
import { ceilTo, floorTo, HOUR_MS } from '../domain/time-buckets';
import type { AccountScope } from '../domain/account-scope';
import type { CampaignRow } from '../domain/incident';

export interface CountRow {
  accountId: string;
  carrier: string;
  type: 'sms' | 'mms';
  status: string;
  /** the provider's error code (window rows only; the baseline has none) */
  errorCode?: number | null;
  messages: number;
}

/**
 * Messages in the recent window by account, carrier, type and status, from the raw table
 * (the window is short and its edges are not on the hour). Only messages actually attempted
 * count: a send refused because the number had unsubscribed is not a carrier problem.
 */
export async function windowCounts(db: Knex, from: Date, to: Date): Promise<CountRow[]> {
  const rows = await db('messages')
    .select('account_id', 'carrier', 'type', 'status', 'error_code')
    .count({ messages: '*' })
    .where('sent_at', '>=', toDbTime(from))
    .andWhere('sent_at', '<', toDbTime(to))
    .andWhere('attempted', true)
    .andWhere((q) => q.whereNull('error_code').orWhereNot('error_code', RECIPIENT_UNSUBSCRIBED))
    .groupBy('account_id', 'carrier', 'type', 'status', 'error_code');
  return rows.map((r: Record<string, unknown>) => ({
    accountId: String(r.account_id),
    carrier: String(r.carrier),
    type: r.type as 'sms' | 'mms',
    status: String(r.status),
    errorCode: r.error_code === null ? null : Number(r.error_code),
    messages: Number(r.messages),
  }));
}

/** The trailing baseline, from the pre-aggregated counts, whole hours. */
export async function baselineCounts(db: Knex, from: Date, to: Date, byAccount: boolean): Promise<CountRow[]> {
  const f = new Date(ceilTo(from.getTime(), HOUR_MS));
  const t = new Date(floorTo(to.getTime(), HOUR_MS));
  const table = byAccount ? 'counts_campaign_hourly' : 'counts_hourly';
  const cols = byAccount ? ['account_id', 'carrier', 'type', 'status'] : ['carrier', 'type', 'status'];
  const rows = await db(table)
    .select(...cols)
    .sum({ messages: 'messages' })
    .where('hour', '>=', toDbTime(f))
    .andWhere('hour', '<', toDbTime(t))
    .groupBy(...cols);
  return rows.map((r: Record<string, unknown>) => ({
    accountId: byAccount ? String(r.account_id) : '*',
    carrier: String(r.carrier),
    type: r.type as 'sms' | 'mms',
    status: String(r.status),
    messages: Number(r.messages),
  }));
}

/** The part of the traffic an alert covers: its carrier and type (null: all), within the accounts its channel sees. */
export interface AlertTraffic {
  carrier: string | null;
  type: 'sms' | 'mms' | null;
  accounts: AccountScope;
}

function within(q: Knex.QueryBuilder, t: AlertTraffic): Knex.QueryBuilder {
  if (t.carrier !== null) q.where('carrier', t.carrier);
  if (t.type !== null) q.where('type', t.type);
  if (!t.accounts.all) q.whereIn('account_id', t.accounts.ids.length ? [...t.accounts.ids] : ['\u0000none']);
  return q;
}

const toCampaignRow = (r: Record<string, unknown>): CampaignRow => ({
  campaignId: String(r.campaign_id),
  status: String(r.status),
  // the grains store 'no code' as 0
  errorCode: r.error_code === null || Number(r.error_code) === 0 ? null : Number(r.error_code),
  messages: Number(r.messages),
  segments: Number(r.segments),
});

/** The alert's window by campaign, status and error code, from raw messages (attempted ones, as the evaluation counts). */
export async function windowCampaignRows(db: Knex, from: Date, to: Date, t: AlertTraffic): Promise<CampaignRow[]> {
  const q = db('messages')
    .select('campaign_id', 'status', 'error_code')
    .count({ messages: '*' })
    .sum({ segments: 'segments' })
    .where('sent_at', '>=', toDbTime(from))
    .andWhere('sent_at', '<', toDbTime(to))
    .andWhere('attempted', true)
    .andWhere((w) => w.whereNull('error_code').orWhereNot('error_code', RECIPIENT_UNSUBSCRIBED))
    .groupBy('campaign_id', 'status', 'error_code');
  return (await within(q, t)).map(toCampaignRow);
}

/**
 * Whole hours [from, to) by campaign, status and error code, from the hourly reason grain (an
 * incident's summary). The grain keeps the statuses that have a reason: failures, not deliveries.
 */
export async function hourlyCampaignRows(db: Knex, from: Date, to: Date, t: AlertTraffic): Promise<CampaignRow[]> {
  const q = db('counts_reason_campaign_hourly')
    .select('campaign_id', 'status', 'error_code')
    .sum({ messages: 'messages', segments: 'segments' })
    .where('hour', '>=', toDbTime(new Date(floorTo(from.getTime(), HOUR_MS))))
    .andWhere('hour', '<', toDbTime(new Date(ceilTo(to.getTime(), HOUR_MS))))
    .groupBy('campaign_id', 'status', 'error_code');
  return (await within(q, t)).map(toCampaignRow);
}

/** Whole hours [from, to) by campaign and status, from the hourly campaign grain (an alert's baseline). */
export async function baselineCampaignRows(db: Knex, from: Date, to: Date, t: AlertTraffic): Promise<CampaignRow[]> {
  const q = db('counts_campaign_hourly')
    .select('campaign_id', 'status')
    .sum({ messages: 'messages', segments: 'segments' })
    .where('hour', '>=', toDbTime(new Date(ceilTo(from.getTime(), HOUR_MS))))
    .andWhere('hour', '<', toDbTime(new Date(floorTo(to.getTime(), HOUR_MS))))
    .groupBy('campaign_id', 'status');
  return (await within(q, t)).map((r: Record<string, unknown>) => ({ ...toCampaignRow({ ...r, error_code: null }) }));
}
