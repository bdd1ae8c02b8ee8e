import {
  DELIVERY_STATUSES as DELIVERIES,
  FAILURE_STATUSES as FAILURES,
  RECIPIENT_UNSUBSCRIBED,
  type Status,
} from './status';

/**
 * The auto-unsubscribe rule (DESIGN §3). A number's run of failed campaigns, newest first:
 * campaigns where a message was attempted and ended failed, undelivered or unreachable by
 * carrier result count; a delivery (confirmed or not) ends the run; messages never attempted
 * (ignored, or refused because the number had unsubscribed) and messages without a final
 * outcome yet are passed over. Within one campaign, any delivery makes it a delivered campaign.
 */
export interface SentToNumber {
  campaignId: string;
  status: Status;
  attempted: boolean;
  errorCode: number | null;
}

export function counts(m: SentToNumber): boolean {
  return m.attempted && m.errorCode !== RECIPIENT_UNSUBSCRIBED && (FAILURES.has(m.status) || DELIVERIES.has(m.status));
}

/** `newestFirst` may hold several messages per campaign; campaigns are judged as a whole. */
export function failedRun(
  newestFirst: readonly SentToNumber[],
  cap = Infinity,
): { streak: number; campaigns: string[] } {
  const order: string[] = [];
  const delivered = new Map<string, boolean>();
  for (const m of newestFirst) {
    if (!counts(m)) continue;
    if (!delivered.has(m.campaignId)) order.push(m.campaignId);
    delivered.set(m.campaignId, (delivered.get(m.campaignId) ?? false) || DELIVERIES.has(m.status));
  }
  const campaigns: string[] = [];
  for (const c of order) {
    if (delivered.get(c)) break;
    campaigns.push(c);
    if (campaigns.length >= cap) break;
  }
  return { streak: campaigns.length, campaigns };
}

export type UnsubscribeVerdict = 'unsubscribe' | 'at-risk' | 'ok';

/** At the threshold a number is unsubscribed; two short of it, it is "at risk". */
export function verdict(streak: number, threshold: number): UnsubscribeVerdict {
  if (streak >= threshold) return 'unsubscribe';
  if (streak >= atRiskBand(threshold).min) return 'at-risk';
  return 'ok';
}

/** Numbers "at risk": two short of the threshold and one short (5–6 failed campaigns of 7). */
export function atRiskBand(threshold: number): { min: number; max: number } {
  return { min: Math.max(1, threshold - 2), max: threshold - 1 };
}
