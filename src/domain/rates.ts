import type { StatusCounts } from './status';

/**
 * Rates, measured in segments (what merchants pay for) and, separately, in messages.
 *
 * Denominator — "settled": every message that has an outcome, i.e. all statuses except
 * Queued (no outcome yet) and Ignored (never sent because of the account's subscription,
 * which is billing, not deliverability). The four rates therefore add up to 100 %:
 *   delivery    = (Delivery (Confirmed) + Delivery (Unconfirmed)) / settled
 *   undelivered = Undelivered / settled
 *   unreachable = Unreachable / settled
 *   failed      = Failed / settled
 * A rate is null when nothing settled.
 */
export interface Rates {
  delivery: number | null;
  undelivered: number | null;
  unreachable: number | null;
  failed: number | null;
}

export function settled(c: StatusCounts, unit: 'segments' | 'messages'): number {
  return c.failed[unit] + c.unreachable[unit] + c.undelivered[unit] + c.delivered_unconfirmed[unit] + c.delivered_confirmed[unit];
}

export function computeRates(c: StatusCounts, unit: 'segments' | 'messages' = 'segments'): Rates {
  const d = settled(c, unit);
  const r = (n: number) => (d === 0 ? null : n / d);
  return {
    delivery: r(c.delivered_confirmed[unit] + c.delivered_unconfirmed[unit]),
    undelivered: r(c.undelivered[unit]),
    unreachable: r(c.unreachable[unit]),
    failed: r(c.failed[unit]),
  };
}
