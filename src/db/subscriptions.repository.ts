import type { Knex } from 'knex';
import { fromDbTime, inTransaction, locking, toDbTime } from './dialect';

export type SubscriptionEventKind = 'unsubscribed' | 'subscribed' | 'restored';
export type SubscriptionReason = 'stop' | 'manual' | 'auto';

export interface SubscriptionEvent {
  /** stable: the event's own id, the same on every read */
  id: number;
  /** its place in the feed, given after it committed (null until then) */
  position: number | null;
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
  events: Array<Omit<SubscriptionEvent, 'id' | 'position'>>,
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

const FEED = 'subscription_events';

/**
 * Gives feed positions to committed events that have none, in id order, in one serialized
 * step: the sequencer row is locked (on Galera two nodes sequencing at once conflict at commit,
 * and one retries), the events without a position are read as committed now (READ COMMITTED:
 * an event still in flight is not there yet, and gets a later position when it lands), numbered
 * from the last position and the sequencer moved, all in one commit. So positions appear in
 * commit order: a reader that saw position P has seen every position below P, and an event that
 * commits late is placed after what readers already have, never behind them.
 */
export async function sequenceFeed(db: Knex, batch = 5000): Promise<number> {
  return inTransaction(
    db,
    async (trx) => {
      const seq = await locking(trx, trx('feed_sequencer').first('last_position').where({ feed: FEED }), 'update');
      const ids = (await trx('subscription_events').select('id').whereNull('position').orderBy('id').limit(batch)).map(
        (r: { id: unknown }) => Number(r.id),
      );
      if (ids.length === 0) return 0;
      let next = Number(seq?.last_position ?? 0);
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const cases = chunk.map(() => 'WHEN ? THEN ?').join(' ');
        const values = chunk.flatMap((id) => [id, ++next]);
        await trx.raw(
          `UPDATE subscription_events SET position = CASE id ${cases} END WHERE id IN (${chunk.map(() => '?').join(',')})`,
          [...values, ...chunk],
        );
      }
      await trx('feed_sequencer').where({ feed: FEED }).update({ last_position: next });
      return ids.length;
    },
    8,
    'read committed',
  );
}

/** Events after feed position `after`, in feed order (sequence first to include the newest). */
export async function listSubscriptionEvents(db: Knex, after: number, limit: number): Promise<SubscriptionEvent[]> {
  const rows = await db('subscription_events')
    .select('*')
    .where('position', '>', after)
    .orderBy('position')
    .limit(limit);
  return rows.map((r) => ({
    id: Number(r.id),
    position: r.position === null ? null : Number(r.position),
    accountId: r.account_id,
    phone: r.phone,
    event: r.event,
    reason: r.reason,
    at: fromDbTime(r.at),
    source: r.source,
    detail: r.detail ? JSON.parse(r.detail) : null,
  }));
}
