import { expect } from 'vitest';
import type { Db } from '../../src/db/knex';
import { STATUSES } from '../../src/domain/status';

export async function tableCounts(db: Db) {
  const out: Record<string, number> = {};
  for (const t of [
    'accounts',
    'campaigns',
    'subscribers',
    'messages',
    'status_callbacks',
    'subscription_events',
    'counts_hourly',
    'counts_campaign_hourly',
  ]) {
    const [row] = await db(t).count({ n: '*' });
    out[t] = Number(row?.n ?? 0);
  }
  return out;
}

export async function messageState(db: Db, pmid: string) {
  const row = await db('messages')
    .first('status', 'segments', 'error_code', 'segments_source')
    .where({ provider_message_id: pmid });
  return row
    ? {
        status: row.status,
        segments: Number(row.segments),
        error_code: row.error_code === null ? null : Number(row.error_code),
      }
    : null;
}

/** The pre-aggregated counts hold exactly what a GROUP BY over the raw messages says. */
export async function expectCountsMatchMessages(db: Db) {
  const raw = await db('messages')
    .whereIn('status', [...STATUSES]) // a cancelled message is in no count
    .select('type', 'carrier', 'status', 'campaign_id', 'account_id')
    .sum({ segments: 'segments' })
    .count({ messages: '*' })
    .groupBy('type', 'carrier', 'status', 'campaign_id', 'account_id');
  const norm = (rows: any[]) =>
    rows
      .map((r) => ({
        type: r.type,
        carrier: r.carrier,
        status: r.status,
        campaign_id: r.campaign_id,
        account_id: r.account_id,
        segments: Number(r.segments),
        messages: Number(r.messages),
      }))
      .filter((r) => r.messages !== 0)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  for (const table of ['counts_campaign_hourly', 'counts_quarter']) {
    const counted = await db(table)
      .select('type', 'carrier', 'status', 'campaign_id', 'account_id')
      .sum({ segments: 'segments' })
      .sum({ messages: 'messages' })
      .groupBy('type', 'carrier', 'status', 'campaign_id', 'account_id');
    expect(norm(counted), table).toEqual(norm(raw));
  }
  const rawTotals = await db('messages')
    .whereIn('status', [...STATUSES])
    .select('type', 'carrier', 'status')
    .sum({ segments: 'segments' })
    .count({ messages: '*' })
    .groupBy('type', 'carrier', 'status');
  const hourly = await db('counts_hourly')
    .select('type', 'carrier', 'status')
    .sum({ segments: 'segments' })
    .sum({ messages: 'messages' })
    .groupBy('type', 'carrier', 'status');
  const n2 = (rows: any[]) => norm(rows.map((r) => ({ ...r, campaign_id: '', account_id: '' })));
  expect(n2(hourly)).toEqual(n2(rawTotals));
  // the other grains sum to the same
  for (const [table, cols] of [
    ['counts_series_hourly', ['type', 'status']],
    ['counts_daily', ['type', 'carrier', 'status']],
    ['counts_campaign_daily', ['campaign_id', 'type', 'status']],
  ] as const) {
    const got = await db(table)
      .select(...cols)
      .sum({ segments: 'segments' })
      .sum({ messages: 'messages' })
      .groupBy(...cols);
    const want = await db('messages')
      .whereIn('status', [...STATUSES])
      .select(...cols)
      .sum({ segments: 'segments' })
      .count({ messages: '*' })
      .groupBy(...cols);
    const n3 = (rows: any[]) =>
      norm(
        rows.map((r) => ({
          type: r.type,
          carrier: r.carrier ?? '',
          status: r.status,
          campaign_id: r.campaign_id ?? '',
          account_id: '',
          segments: r.segments,
          messages: r.messages,
        })),
      );
    expect(n3(got)).toEqual(n3(want));
  }
  // the reason grains: failures by status and error code, exactly as the messages say
  const reasoned = ['failed', 'ignored', 'unreachable', 'undelivered'];
  const byCode = (rows: any[]) =>
    rows
      .map((r) => ({
        campaign_id: r.campaign_id,
        account_id: r.account_id,
        carrier: r.carrier,
        type: r.type,
        status: r.status,
        error_code: Number(r.error_code ?? 0),
        segments: Number(r.segments),
        messages: Number(r.messages),
      }))
      .filter((r) => r.messages !== 0)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const wantReasons = await db('messages')
    .select('campaign_id', 'account_id', 'carrier', 'type', 'status', 'error_code')
    .sum({ segments: 'segments' })
    .count({ messages: '*' })
    .whereIn('status', reasoned)
    .groupBy('campaign_id', 'account_id', 'carrier', 'type', 'status', 'error_code');
  const gotReasons = await db('counts_reason_campaign_hourly')
    .select('campaign_id', 'account_id', 'carrier', 'type', 'status', 'error_code')
    .sum({ segments: 'segments' })
    .sum({ messages: 'messages' })
    .groupBy('campaign_id', 'account_id', 'carrier', 'type', 'status', 'error_code');
  expect(byCode(gotReasons)).toEqual(byCode(wantReasons));
  const gotHourly = await db('counts_reason_daily')
    .select('carrier', 'type', 'status', 'error_code')
    .sum({ segments: 'segments' })
    .sum({ messages: 'messages' })
    .groupBy('carrier', 'type', 'status', 'error_code');
  const wantHourly = wantReasons.map((r: any) => ({ ...r, campaign_id: '', account_id: '' }));
  const merged = new Map<string, any>();
  for (const r of byCode(wantHourly)) {
    const k = [r.carrier, r.type, r.status, r.error_code].join('|');
    const m = merged.get(k) ?? { ...r, segments: 0, messages: 0 };
    m.segments += r.segments;
    m.messages += r.messages;
    merged.set(k, m);
  }
  expect(byCode(gotHourly.map((r: any) => ({ ...r, campaign_id: '', account_id: '' })))).toEqual(
    byCode([...merged.values()]),
  );
}
