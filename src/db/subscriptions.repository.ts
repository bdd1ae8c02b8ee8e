import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from './dialect';

export type SubscriptionEventKind = 'unsubscribed' | 'subscribed' | 'restored';
export type SubscriptionReason = 'stop' | 'manual' | 'auto';

export interface SubscriptionEvent {
  id: number;
  accountId: string;
  phone: string;
  event: SubscriptionEventKind;
  reason: SubscriptionReason;
  at: Date;
  source: string;
  detail: unknown;
}

/** Appends events (identical events are stored once) and returns how many were new. */
export async function appendSubscriptionEvents(
  trx: Knex.Transaction,
  events: Array<Omit<SubscriptionEvent, 'id'>>,
  now: Date,
): Promise<number> {
  let added = 0;
  for (const e of events) {
    const row = {
      account_id: e.accountId,
      phone: e.phone,
      event: e.event,
      reason: e.reason,
      at: toDbTime(e.at),
      source: e.source,
      detail: e.detail === undefined || e.detail === null ? null : JSON.stringify(e.detail),
      created_at: toDbTime(now),
    };
    const exists = await trx('subscription_events')
      .first('id')
      .where({ account_id: row.account_id, phone: row.phone, event: row.event, reason: row.reason, at: row.at });
    if (exists) continue;
    await trx('subscription_events').insert(row);
    added++;
  }
  return added;
}

/** Moves a subscriber's state unless a later event already decided it. */
export async function applySubscriberState(
  trx: Knex.Transaction,
  subscriberId: number,
  state: { subscribed: boolean; reason: SubscriptionReason | null; at: Date },
): Promise<boolean> {
  const at = toDbTime(state.at);
  const n = await trx('subscribers')
    .where({ id: subscriberId })
    .andWhere((q) => q.whereNull('state_changed_at').orWhere('state_changed_at', '<=', at))
    .update({ subscribed: state.subscribed, unsubscribe_reason: state.reason, state_changed_at: at });
  return n > 0;
}

export async function listSubscriptionEvents(db: Knex, afterId: number, limit: number): Promise<SubscriptionEvent[]> {
  const rows = await db('subscription_events').select('*').where('id', '>', afterId).orderBy('id').limit(limit);
  return rows.map((r) => ({
    id: Number(r.id),
    accountId: r.account_id,
    phone: r.phone,
    event: r.event,
    reason: r.reason,
    at: fromDbTime(r.at),
    source: r.source,
    detail: r.detail ? JSON.parse(r.detail) : null,
  }));
}
