import { SETTLED_STATUSES, type StatusCounts } from './status';

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
  return SETTLED_STATUSES.reduce((sum, s) => sum + c[s][unit], 0);
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

/**
 * How a delivery rate moved against an earlier one, in percentage points: ▲ up, ▼ down, →
 * when it moved by less than 0.05 points (shown as 0.0). Null when either rate is unknown.
 */
export function deliveryChange(
  now: number | null,
  before: number | null,
): { arrow: '▲' | '▼' | '→'; points: number } | null {
  if (now === null || before === null) return null;
  const pts = (now - before) * 100;
  return { arrow: Math.abs(pts) < 0.05 ? '→' : pts > 0 ? '▲' : '▼', points: Math.abs(pts) };
}
