import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';
import { RECIPIENT_UNSUBSCRIBED } from '../domain/status';
import { ceilTo, floorTo, HOUR_MS } from '../domain/time-buckets';

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
