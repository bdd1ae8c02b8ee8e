import type { SpikeKind } from './alert-rule';
import { explainChange, type Change, type GroupOutcome, type Period2 } from './explain';
import { REASONED_STATUSES, REASONS, attributionOf, reasonOf, type ReasonCode } from './reasons';
import type { Status } from './status';

/**
 * What an alert is about, in counts (issue 19): which campaigns drive its failures, and what an
 * incident cost when it ends. Pure: rows in, figures out.
 */

/** One group of messages: a campaign's messages of one status and error code, with segments. */
export interface CampaignRow {
  campaignId: string;
  status: string;
  errorCode: number | null;
  messages: number;
  segments: number;
}

/**
 * The failures an alert of `kind` counts: its status (undelivered, unreachable), or for a sender
 * problem any failure the reason table attributes to the sender. The one copy of this rule: the
 * evaluation, the drivers and the summary all ask it.
 */
export function isFailureOf(kind: SpikeKind | 'auto_unsubscribe', status: string, errorCode: number | null): boolean {
  if (kind === 'sender_problem')
    return REASONED_STATUSES.has(status as Status) && attributionOf(status as Status, errorCode) === 'sender';
  return status === kind;
}

export interface CampaignShare {
  campaignId: string;
  messages: number;
  /** of all the alert's failures in the rows */
  share: number;
}

/** The `n` campaigns with the most failures of the alert's kind, with their share of them. */
export function topCampaigns(rows: CampaignRow[], kind: SpikeKind, n = 3): CampaignShare[] {
  const by = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    if (!isFailureOf(kind, r.status, r.errorCode)) continue;
    by.set(r.campaignId, (by.get(r.campaignId) ?? 0) + r.messages);
    total += r.messages;
  }
  return [...by]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([campaignId, messages]) => ({ campaignId, messages, share: messages / total }));
}

export interface IncidentFigures {
  /** failures of the alert's kind over the incident */
  failures: { messages: number; segments: number };
  undeliveredSegments: number;
  /** undelivered segments × the price of a segment */
  cost: number;
  reasons: Array<{ reason: ReasonCode; label: string; messages: number }>;
  campaigns: CampaignShare[];
}

export function incidentFigures(rows: CampaignRow[], kind: SpikeKind, segmentPrice: number): IncidentFigures {
  const failures = { messages: 0, segments: 0 };
  let undeliveredSegments = 0;
  const reasons = new Map<ReasonCode, number>();
  for (const r of rows) {
    if (r.status === 'undelivered') undeliveredSegments += r.segments;
    if (!isFailureOf(kind, r.status, r.errorCode)) continue;
    failures.messages += r.messages;
    failures.segments += r.segments;
    const reason = reasonOf(r.status as Status, r.errorCode);
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + r.messages);
  }
  return {
    failures,
    undeliveredSegments,
    cost: undeliveredSegments * segmentPrice,
    reasons: [...reasons]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, messages]) => ({ reason, label: REASONS[reason].label, messages })),
    campaigns: topCampaigns(rows, kind),
  };
}

/**
 * An alert's failure rate against its baseline, split by campaign (and by carrier when the
 * alert covers every carrier): each group's rate effect (its own failure rate moved) and mix
 * effect (its share moved), adding up to the change (domain/explain.ts, metric failure_rate).
 * Counts messages among the settled ones, as the evaluation does. A sender problem has no
 * baseline rule (and the grain has no error codes to attribute one): null.
 */
export function alertChange(
  kind: SpikeKind,
  campaigns: Period2<CampaignRow[]>,
  carriers: Period2<Array<{ carrier: string; status: string; messages: number }>> | null,
  settled: ReadonlySet<string>,
): Change | null {
  if (kind === 'sender_problem') return null;
  const groups = <T>(rows: T[], key: (r: T) => string, status: (r: T) => string, n: (r: T) => number) => {
    const by = new Map<string, GroupOutcome>();
    for (const r of rows) {
      if (!settled.has(status(r))) continue;
      const k = key(r);
      const g = by.get(k) ?? { key: k, label: k || 'Unknown carrier', delivered: 0, settled: 0 };
      g.settled += n(r);
      if (status(r) === kind) g.delivered += n(r);
      by.set(k, g);
    }
    return [...by.values()];
  };
  const camp = (rows: CampaignRow[]) =>
    groups(
      rows,
      (r) => r.campaignId,
      (r) => r.status,
      (r) => r.messages,
    );
  const before = camp(campaigns.before);
  const after = camp(campaigns.after);
  const total = (gs: GroupOutcome[]) => ({
    delivered: gs.reduce((x, g) => x + g.delivered, 0),
    settled: gs.reduce((x, g) => x + g.settled, 0),
  });
  const car = (rows: Array<{ carrier: string; status: string; messages: number }>) =>
    groups(
      rows,
      (r) => r.carrier,
      (r) => r.status,
      (r) => r.messages,
    );
  return explainChange(
    {
      totals: { before: total(before), after: total(after) },
      groups: {
        campaign: { before, after },
        ...(carriers ? { carrier: { before: car(carriers.before), after: car(carriers.after) } } : {}),
      },
    },
    'failure_rate',
  );
}
