import type { Knex } from 'knex';
import { inTransaction } from '../db/dialect';
import { ensureAccounts, ensureSubscribers, subscriberKey } from '../db/directory.repository';
import {
  appendSubscriptionEvents,
  applySubscriberState,
  listSubscriptionEvents,
  sequenceFeed,
  type SubscriptionEvent,
} from '../db/subscriptions.repository';
import type { SubscriptionEventInput } from './schemas';

/** STOP / re-subscribe events from the sending platform: recorded, and the subscriber's state moved. */
export async function recordSubscriptionEvents(
  db: Knex,
  events: readonly SubscriptionEventInput[],
  now: Date,
): Promise<{ received: number; recorded: number }> {
  return inTransaction(db, async (trx) => {
    await ensureAccounts(
      trx,
      [...new Set(events.map((e) => e.account_id))].map((id) => ({ id, name: null })),
      now,
    );
    const subs = await ensureSubscribers(
      trx,
      events.map((e) => ({ accountId: e.account_id, phone: e.phone, carrier: null })),
      now,
    );
    const recorded = await appendSubscriptionEvents(
      trx,
      events.map((e) => ({
        accountId: e.account_id,
        phone: e.phone,
        event: e.event,
        reason: e.reason,
        at: new Date(e.at),
        source: 'ingest',
        detail: null,
      })),
      now,
    );
    const ordered = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    for (const e of ordered) {
      await applySubscriberState(trx, subs.get(subscriberKey(e.account_id, e.phone))!, {
        subscribed: e.event === 'subscribed',
        reason: e.event === 'subscribed' ? null : e.reason,
        at: new Date(e.at),
      });
    }
    return { received: events.length, recorded };
  });
}

export type CursorError = { type: 'invalid-cursor'; message: string };

export function parseCursor(value: unknown): number | CursorError {
  if (value === undefined || value === '') return 0;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    return {
      type: 'invalid-cursor',
      message:
        'must be a cursor returned as next_cursor (or absent to start from the beginning); to resync, start again without since and skip event_ids already applied',
    };
  }
  return Number(value);
}

/** One subscription event as the platform receives it, pulled from the feed or pushed to its webhook. */
export function feedItem(e: SubscriptionEvent) {
  return {
    event_id: String(e.id),
    account_id: e.accountId,
    phone: e.phone,
    event: e.event,
    reason: e.reason,
    at: e.at.toISOString(),
  };
}

/**
 * The feed the sending platform syncs from, in commit order. The cursor is a feed position
 * (positions are given in commit order by `sequenceFeed`, so following `next_cursor` never skips
 * an event that committed late); a cursor from before positions existed was an event id, and
 * those events kept their id as their position, so it resumes where it was.
 */
export async function unsubscribeFeed(db: Knex, since: number, limit: number) {
  await sequenceFeed(db);
  const events = await listSubscriptionEvents(db, since, limit);
  const last = events.at(-1);
  return {
    unsubscribes: events.map(feedItem),
    next_cursor: String(last?.position ?? since),
    has_more: events.length === limit,
  };
}
