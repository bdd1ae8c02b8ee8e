import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from './dialect';

const FEED = 'subscription_events';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  eventId: number;
  position: number;
  state: DeliveryState;
  attempts: number;
  firstAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  lastError: string | null;
}

const t = (v: unknown) => (v === null || v === undefined ? null : fromDbTime(v));
const toDelivery = (r: Record<string, unknown>): Delivery => ({
  eventId: Number(r.event_id),
  position: Number(r.position),
  state: r.state as DeliveryState,
  attempts: Number(r.attempts),
  firstAttemptAt: t(r.first_attempt_at),
  nextAttemptAt: t(r.next_attempt_at),
  deliveredAt: t(r.delivered_at),
  lastError: (r.last_error as string | null) ?? null,
});

/**
 * Takes (or renews) the lease to push: one instance at a time delivers, so a receiver sees each
 * event from one sender in order. A lease not renewed (a dead instance) is taken over when it
 * ends. Returns the position pushed up to, or null when another instance holds the lease.
 */
export async function takePushLease(db: Knex, owner: string, now: Date, leaseMs: number): Promise<number | null> {
  const n = await db('feed_push')
    .where({ feed: FEED })
    .andWhere((q) =>
      q.whereNull('lease_until').orWhere('lease_until', '<', toDbTime(now)).orWhere({ lease_owner: owner }),
    )
    .update({ lease_owner: owner, lease_until: toDbTime(new Date(now.getTime() + leaseMs)) });
  if (n === 0) return null;
  const row = await db('feed_push').first('last_position').where({ feed: FEED });
  return Number(row.last_position);
}

/** Moves the pushed position on, only while `owner` still holds the lease. */
export async function advancePush(db: Knex, owner: string, position: number): Promise<boolean> {
  const n = await db('feed_push')
    .where({ feed: FEED, lease_owner: owner })
    .andWhere('last_position', '<', position)
    .update({ last_position: position });
  return n > 0;
}

export async function getDelivery(db: Knex, eventId: number): Promise<Delivery | null> {
  const r = await db('feed_push_deliveries').first('*').where({ event_id: eventId });
  return r ? toDelivery(r) : null;
}

export async function saveDelivery(db: Knex, d: Delivery): Promise<void> {
  const row = {
    event_id: d.eventId,
    position: d.position,
    state: d.state,
    attempts: d.attempts,
    first_attempt_at: d.firstAttemptAt ? toDbTime(d.firstAttemptAt) : null,
    next_attempt_at: d.nextAttemptAt ? toDbTime(d.nextAttemptAt) : null,
    delivered_at: d.deliveredAt ? toDbTime(d.deliveredAt) : null,
    last_error: d.lastError,
  };
  await db('feed_push_deliveries').insert(row).onConflict('event_id').merge();
}

/** Deliveries not (yet) delivered: the one being retried and those given up on. */
export async function undeliveredDeliveries(db: Knex): Promise<Delivery[]> {
  return (await db('feed_push_deliveries').select('*').whereNot({ state: 'delivered' }).orderBy('position')).map(
    toDelivery,
  );
}

export async function pushPosition(
  db: Knex,
): Promise<{ position: number; leaseOwner: string | null; leaseUntil: Date | null }> {
  const r = await db('feed_push').first('*').where({ feed: FEED });
  return { position: Number(r?.last_position ?? 0), leaseOwner: r?.lease_owner ?? null, leaseUntil: t(r?.lease_until) };
}
