import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from '../db/dialect';
import { accountFilter, type AccountScope } from '../domain/account-scope';
import { incidentKey, type SentToNumber } from '../domain/auto-unsubscribe';
import { FAILURE_STATUSES, SETTLED_STATUSES, type Status } from '../domain/status';

/**
 * Numbers whose run of failures may have changed since the last run (`since`): those with a
 * failed message that changed status, or crossed the settle line, since then, and those with a
 * run already under way (a delivery may have ended it). Numbers whose new messages were all
 * delivered and had no run are left alone: their run is still 0.
 */
export async function candidateSubscribers(
  db: Knex,
  since: { at: Date; settledBefore: Date } | null,
  settledBefore: Date,
): Promise<number[]> {
  // numbers already unsubscribed are not examined again: nothing they get can change that
  const subscribed = db('subscribers').select('id').where('subscribed', true);
  const failed = db('messages')
    .distinct('subscriber_id')
    .whereIn('status', [...FAILURE_STATUSES])
    .andWhere('sent_at', '<', toDbTime(settledBefore))
    .whereIn('subscriber_id', subscribed);
  if (since) {
    failed.andWhere((q) =>
      q
        .where('status_changed_at', '>=', toDbTime(since.at))
        .orWhere((w) =>
          w.where('sent_at', '>=', toDbTime(since.settledBefore)).andWhere('sent_at', '<', toDbTime(settledBefore)),
        ),
    );
  }
  const [a, b] = await Promise.all([
    failed,
    db('subscribers').select('id').where('fail_streak', '>', 0).andWhere('subscribed', true),
  ]);
  return [
    ...new Set([
      ...a.map((r: { subscriber_id: unknown }) => Number(r.subscriber_id)),
      ...b.map((r: { id: unknown }) => Number(r.id)),
    ]),
  ];
}

/** Each subscriber's settled messages, newest first, at most `limit` campaigns back. */
export async function recentMessages(
  db: Knex,
  subscriberIds: number[],
  settledBefore: Date,
  limit: number,
): Promise<Map<number, SentToNumber[]>> {
  const out = new Map<number, SentToNumber[]>();
  if (subscriberIds.length === 0) return out;
  const rows = await db('messages')
    .select('subscriber_id', 'campaign_id', 'status', 'attempted', 'error_code', 'carrier', 'type')
    .whereIn('subscriber_id', subscriberIds)
    .andWhere('sent_at', '<', toDbTime(settledBefore))
    .orderBy([{ column: 'subscriber_id' }, { column: 'sent_at', order: 'desc' }]);
  for (const r of rows) {
    const id = Number(r.subscriber_id);
    const list = out.get(id) ?? [];
    out.set(id, list);
    if (list.length < limit * 3) {
      list.push({
        campaignId: r.campaign_id,
        status: r.status as Status,
        attempted: Boolean(r.attempted),
        errorCode: r.error_code === null ? null : Number(r.error_code),
        carrier: r.carrier,
        type: r.type,
      });
    }
  }
  return out;
}

export interface SubscriberRow {
  id: number;
  accountId: string;
  phone: string;
  carrier: string | null;
  subscribed: boolean;
  reason: string | null;
  failStreak: number;
}

const toSub = (r: Record<string, unknown>): SubscriberRow => ({
  id: Number(r.id),
  accountId: r.account_id as string,
  phone: r.phone as string,
  carrier: (r.carrier as string | null) ?? null,
  subscribed: Boolean(r.subscribed),
  reason: (r.unsubscribe_reason as string | null) ?? null,
  failStreak: Number(r.fail_streak),
});

export async function getSubscribers(db: Knex, ids: number[]): Promise<SubscriberRow[]> {
  const out: SubscriberRow[] = [];
  for (let i = 0; i < ids.length; i += 5000)
    out.push(
      ...(
        await db('subscribers')
          .select('*')
          .whereIn('id', ids.slice(i, i + 5000))
      ).map(toSub),
    );
  return out;
}

export async function setFailStreaks(db: Knex, streaks: Array<{ id: number; streak: number }>): Promise<void> {
  const byValue = new Map<number, number[]>();
  for (const s of streaks) byValue.set(s.streak, [...(byValue.get(s.streak) ?? []), s.id]);
  for (const [streak, ids] of byValue)
    for (let i = 0; i < ids.length; i += 1000)
      await db('subscribers')
        .whereIn('id', ids.slice(i, i + 1000))
        .update({ fail_streak: streak });
}

export async function atRiskSubscribers(
  db: Knex,
  min: number,
  max: number,
  accounts: AccountScope,
  limit = 200,
): Promise<SubscriberRow[]> {
  const q = db('subscribers')
    .select('*')
    .where('subscribed', true)
    .andWhere('fail_streak', '>=', min)
    .andWhere('fail_streak', '<=', max)
    .orderBy([{ column: 'fail_streak', order: 'desc' }, { column: 'id' }])
    .limit(limit);
  const ids = accountFilter(accounts);
  if (ids) q.whereIn('account_id', ids.length ? [...ids] : ['\u0000none']);
  return (await q).map(toSub);
}

/** How many subscribed numbers are in the at-risk band, within the scope (the Home tab's count). */
export async function countAtRisk(db: Knex, min: number, max: number, accounts: AccountScope): Promise<number> {
  const q = db('subscribers')
    .count({ n: '*' })
    .where('subscribed', true)
    .andWhere('fail_streak', '>=', min)
    .andWhere('fail_streak', '<=', max);
  const ids = accountFilter(accounts);
  if (ids) q.whereIn('account_id', ids.length ? [...ids] : ['\u0000none']);
  const [r] = await q;
  return Number((r as { n: unknown }).n);
}

export interface AutoUnsubscribe {
  id: number;
  subscriberId: number;
  accountId: string;
  phone: string;
  carrier: string | null;
  at: Date;
  campaigns: string[];
  restoredAt: Date | null;
  restoredBy: string | null;
  /** the reasons of the failed campaigns, newest first */
  reasons?: string[];
  /** the job run that made it (one announcement per run) */
  slot?: string;
}

const toAuto = (r: Record<string, unknown>): AutoUnsubscribe => ({
  id: Number(r.id),
  subscriberId: Number(r.subscriber_id),
  accountId: r.account_id as string,
  phone: r.phone as string,
  carrier: (r.carrier as string | null) ?? null,
  at: fromDbTime(r.at),
  campaigns: JSON.parse(r.campaigns as string) as string[],
  restoredAt: r.restored_at ? fromDbTime(r.restored_at) : null,
  restoredBy: (r.restored_by as string | null) ?? null,
  slot: (r.job_slot as string | null) ?? undefined,
  reasons: r.reasons ? (JSON.parse(r.reasons as string) as string[]) : [],
});

export async function insertAutoUnsubscribe(
  trx: Knex.Transaction,
  a: Omit<AutoUnsubscribe, 'id' | 'restoredAt' | 'restoredBy'>,
  slot: string,
): Promise<number> {
  const [id] = await trx('auto_unsubscribes').insert({
    subscriber_id: a.subscriberId,
    account_id: a.accountId,
    phone: a.phone,
    carrier: a.carrier,
    at: toDbTime(a.at),
    campaigns: JSON.stringify(a.campaigns),
    reasons: JSON.stringify(a.reasons ?? []),
    job_slot: slot,
  });
  return Number(id);
}

export async function getAutoUnsubscribe(db: Knex, id: number): Promise<AutoUnsubscribe | null> {
  const r = await db('auto_unsubscribes').first('*').where({ id });
  return r ? toAuto(r) : null;
}

export async function autoUnsubscribesBetween(
  db: Knex,
  from: Date,
  to: Date,
  accounts: AccountScope,
): Promise<AutoUnsubscribe[]> {
  const q = db('auto_unsubscribes')
    .select('*')
    .where('at', '>=', toDbTime(from))
    .andWhere('at', '<', toDbTime(to))
    .orderBy('id');
  const ids = accountFilter(accounts);
  if (ids) q.whereIn('account_id', ids.length ? [...ids] : ['\u0000none']);
  return (await q).map(toAuto);
}

export async function autoUnsubscribesOfRun(db: Knex, slot: string): Promise<AutoUnsubscribe[]> {
  return (await db('auto_unsubscribes').select('*').where({ job_slot: slot }).orderBy('id')).map(toAuto);
}

/**
 * Settled and failed messages of campaigns on each carrier and type (from the campaign grain):
 * what the carrier-incident rule needs. Keyed by incidentKey(campaign, carrier, type).
 */
export async function campaignCarrierOutcomes(
  db: Knex,
  campaignIds: string[],
): Promise<Map<string, { settled: number; failed: number }>> {
  const out = new Map<string, { settled: number; failed: number }>();
  for (let i = 0; i < campaignIds.length; i += 500) {
    const rows = await db('counts_campaign_hourly')
      .select('campaign_id', 'carrier', 'type', 'status')
      .sum({ messages: 'messages' })
      .whereIn('campaign_id', campaignIds.slice(i, i + 500))
      .whereIn('status', [...SETTLED_STATUSES])
      .groupBy('campaign_id', 'carrier', 'type', 'status');
    for (const r of rows as Array<{
      campaign_id: string;
      carrier: string;
      type: string;
      status: Status;
      messages: unknown;
    }>) {
      const k = incidentKey(r.campaign_id, r.carrier, r.type);
      const o = out.get(k) ?? { settled: 0, failed: 0 };
      o.settled += Number(r.messages);
      if (FAILURE_STATUSES.has(r.status)) o.failed += Number(r.messages);
      out.set(k, o);
    }
  }
  return out;
}

/** One posted copy of an auto-unsubscribe announcement: part 0 the parent, 1… the thread lists. */
export interface AnnouncementPost {
  slot: string;
  teamId: string | null;
  channelId: string;
  part: number;
  ts: string;
}

export async function recordAnnouncementPost(db: Knex, p: AnnouncementPost): Promise<void> {
  await db('announcement_posts')
    .insert({ job_slot: p.slot, team_id: p.teamId ?? '', channel_id: p.channelId, part: p.part, ts: p.ts })
    .onConflict(['job_slot', 'team_id', 'channel_id', 'part'])
    .merge(['ts']);
}

export async function announcementPostsOf(db: Knex, slot: string): Promise<AnnouncementPost[]> {
  return (
    await db('announcement_posts').select('*').where({ job_slot: slot }).orderBy(['team_id', 'channel_id', 'part'])
  ).map((r) => ({
    slot: r.job_slot as string,
    teamId: (r.team_id as string) || null,
    channelId: r.channel_id as string,
    part: Number(r.part),
    ts: r.ts as string,
  }));
}
