import { attributionOf, reasonOf, type ReasonCode } from './reasons';
import {
  DELIVERY_STATUSES as DELIVERIES,
  FAILURE_STATUSES as FAILURES,
  RECIPIENT_UNSUBSCRIBED,
  type Status,
} from './status';

/**
 * The auto-unsubscribe rule (DESIGN §3). A number's run of failed campaigns, newest first: a
 * campaign counts when a message to the number was attempted and failed for a reason that is
 * the number's own (`recipient`: invalid, landline, unreachable handset, cannot receive MMS);
 * a delivery (confirmed or not) ends the run. Passed over — neither counted nor ending the run:
 * messages never attempted (ignored, or refused because the number had unsubscribed), messages
 * without a final outcome yet, failures that are the sender's or a carrier's, and failures in a
 * campaign that had a carrier incident on the number's carrier and type. A subscriber is never
 * unsubscribed for the sender's or a carrier's fault. Within one campaign, any delivery makes
 * it a delivered campaign.
 */
export interface SentToNumber {
  campaignId: string;
  status: Status;
  attempted: boolean;
  errorCode: number | null;
  carrier?: string;
  type?: 'sms' | 'mms';
}

/**
 * A carrier incident in a campaign, on one carrier and type: at least `minShare` of the
 * campaign's settled messages there failed, with at least `minSettled` settled messages.
 * Defaults here, one place; AUTO_UNSUBSCRIBE_INCIDENT_SHARE / _MIN override them.
 */
export const CARRIER_INCIDENT = { minShare: 0.5, minSettled: 20 } as const;

export function isCarrierIncident(
  c: { settled: number; failed: number },
  rule: { minShare: number; minSettled: number } = CARRIER_INCIDENT,
): boolean {
  return c.settled >= rule.minSettled && c.failed >= c.settled * rule.minShare;
}

export const incidentKey = (campaignId: string, carrier: string, type: string) =>
  `${campaignId}\u0000${carrier}\u0000${type}`;

/** Whether a message is a delivery, or a failure that is the number's own (not in an incident). */
export function counts(m: SentToNumber, incident: (m: SentToNumber) => boolean = () => false): boolean {
  if (!m.attempted || m.errorCode === RECIPIENT_UNSUBSCRIBED) return false;
  if (DELIVERIES.has(m.status)) return true;
  if (!FAILURES.has(m.status)) return false;
  return attributionOf(m.status, m.errorCode) === 'recipient' && !incident(m);
}

/** `newestFirst` may hold several messages per campaign; campaigns are judged as a whole. */
export function failedRun(
  newestFirst: readonly SentToNumber[],
  cap = Infinity,
  incident: (m: SentToNumber) => boolean = () => false,
): { streak: number; campaigns: string[]; reasons: ReasonCode[] } {
  const order: string[] = [];
  const delivered = new Map<string, boolean>();
  const reasonOfCampaign = new Map<string, ReasonCode>();
  for (const m of newestFirst) {
    if (!counts(m, incident)) continue;
    if (!delivered.has(m.campaignId)) order.push(m.campaignId);
    delivered.set(m.campaignId, (delivered.get(m.campaignId) ?? false) || DELIVERIES.has(m.status));
    const r = reasonOf(m.status, m.errorCode);
    if (r && !reasonOfCampaign.has(m.campaignId)) reasonOfCampaign.set(m.campaignId, r);
  }
  const campaigns: string[] = [];
  for (const c of order) {
    if (delivered.get(c)) break;
    campaigns.push(c);
    if (campaigns.length >= cap) break;
  }
  return { streak: campaigns.length, campaigns, reasons: campaigns.map((c) => reasonOfCampaign.get(c)!) };
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
