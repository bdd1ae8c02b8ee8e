import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { escapeMrkdwn, fmtInt, fmtPct } from '../messages/mrkdwn';
import { notice, type SlackMessage } from '../messages/message';
import type { Alert } from './alerts.repository';
import type { AlertsStatus } from './alerts.service';
import { REASONS, type ReasonCode } from '../domain/reasons';
import { isCarrierBlocked } from '../domain/alert-rule';
import { SLACK_LIMITS } from '../messages/block-limits';
import { fmtDuration, mentionText, type Mention } from '../domain/escalation';
import type { IncidentFigures } from '../domain/incident';
import { escalationWords, quietWords } from '../settings/settings.blocks';
import { changeWords, signedPts } from '../stats/explain.blocks';
import type { Change } from '../domain/explain';
import { scheduleText } from '../domain/report-schedule';

export const ALERT_ACTION = { ack: 'alert_ack', snooze: 'alert_snooze', resolve: 'alert_resolve' } as const;

export function scopeName(a: Pick<Alert, 'scope'>, accountName?: string | null): string {
  const parts = [
    a.scope.carrier !== null ? a.scope.carrier || 'Unknown carrier' : 'All carriers',
    a.scope.type ? a.scope.type.toUpperCase() : null,
    a.scope.accountId ? `account ${accountName ?? a.scope.accountName ?? a.scope.accountId}` : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

const at = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('LLL d HH:mm');

const STATE_EMOJI = {
  open: ':red_circle:',
  acknowledged: ':large_orange_circle:',
  snoozed: ':zzz:',
  resolved: ':large_green_circle:',
} as const;

/**
 * The alert's state in plain words ("Acknowledged by <@U1> at Nov 16 21:10 (UTC)"): the
 * notification text uses it as it is, the context line adds an emoji and bold.
 */
export function stateWords(a: Alert, zone: string): { head: string; rest: string } {
  const acked = a.ackedBy ? ` · acknowledged by <@${a.ackedBy}>` : '';
  switch (a.state) {
    case 'open':
      return { head: 'Open', rest: `since ${at(a.openedAt, zone)} (${zone})` };
    case 'acknowledged':
      return { head: 'Acknowledged', rest: `by <@${a.ackedBy}> at ${at(a.ackedAt!, zone)} (${zone})` };
    case 'snoozed':
      return {
        head: 'Snoozed',
        rest: `by <@${a.snoozedBy ?? a.ackedBy}> until ${at(a.snoozedUntil!, zone)} (${zone})${acked}`,
      };
    case 'resolved':
      return {
        head: 'Resolved',
        rest: `${a.resolvedBy === 'auto' ? 'automatically (the rate stayed back under the threshold)' : `by <@${a.resolvedBy}>`} at ${at(a.resolvedAt!, zone)} (${zone})${acked}`,
      };
  }
}

export function stateLine(a: Alert, zone: string): string {
  const w = stateWords(a, zone);
  return `${STATE_EMOJI[a.state]} *${w.head}* ${w.rest}`;
}

export const stateText = (a: Alert, zone: string): string => {
  const w = stateWords(a, zone);
  return `${w.head} ${w.rest}`;
};

type Mix = Array<{ reason: ReasonCode; label: string; messages: number }>;

/** The campaigns behind an alert's failures when it opened, with their names then. */
export type Drivers = Array<{ campaignId: string; name: string; messages: number; share: number }>;
const driversOf = (a: Alert): Drivers => (a.detail as { campaigns?: Drivers } | null)?.campaigns ?? [];

/** Who the last escalation step mentioned, and which step of how many it was. */
export interface EscalationRecord {
  to: Mention[];
  step: number;
  of: number;
}
const escalationOf = (a: Alert): EscalationRecord | null =>
  (a.detail as { escalatedTo?: EscalationRecord } | null)?.escalatedTo ?? null;

/** "*Driving it:* Black Friday MMS 62% · Green Nov 27 SMS 20%" (the top three campaigns of its failures). */
export function driversLine(d: Drivers): string | null {
  if (!d.length) return null;
  return `*Driving it:* ${d.map((c) => `${escapeMrkdwn(c.name)} ${fmtPct(c.share, 0)}`).join(' · ')}`;
}

/**
 * "*What changed:* unreachable ▲ 55.2 pts against the last 7 days: *Black Friday MMS* ▲ 40.1, …"
 * — the alert's failure rate against its baseline, split by campaign and carrier.
 */
export function alertChangeLine(a: Alert, baselineDays = 7): string | null {
  const change = (a.detail as { change?: Change | null } | null)?.change ?? null;
  const words = changeWords(change);
  if (!change || !words) return null;
  return `*What changed:* ${a.kind} ${signedPts(change.delta_pts)} pts against the last ${baselineDays} days: ${words}`;
}

const stepWords = (e: EscalationRecord) => (e.of > 1 ? ` (step ${e.step} of ${e.of})` : '');
const mixOf = (a: Alert): Mix =>
  ((a.detail as { reasons?: Mix } | null)?.reasons ?? []).filter((r) => r.reason in REASONS);

/** The alert's title: carrier-blocked when filtering is at least half of an undelivered spike. */
export function alertTitle(a: Alert): string {
  const scope = scopeName(a);
  if (a.kind === 'sender_problem') return `Sender problem — ${scope}`;
  if (a.kind === 'undelivered' && isCarrierBlocked(mixOf(a))) return `Carrier-blocked spike — ${scope}`;
  return `${a.kind === 'undelivered' ? 'Undelivered' : 'Unreachable'} rate spike — ${scope}`;
}

/** "*Why:* Carrier-blocked 99 (91%) · Carrier error 10 (9%)" and the top reason's advice. */
function mixLines(mix: Mix): string[] {
  const total = mix.reduce((n, r) => n + r.messages, 0);
  if (!total) return [];
  const top = mix[0]!;
  return [
    `*Why:* ${mix
      .slice(0, 4)
      .map((r) => `${escapeMrkdwn(r.label)} ${fmtInt(r.messages)} (${fmtPct(r.messages / total, 0)})`)
      .join(' · ')}`,
    `_${REASONS[top.reason].advice}_`,
  ];
}

/** The parent message of a rate alert, redrawn on every state change. */
export function spikeAlertMessage(a: Alert, zone: string, windowMinutes: number): SlackMessage {
  const title = alertTitle(a);
  const hours = windowMinutes / 60;
  const what =
    a.kind === 'sender_problem'
      ? 'failed for the sender’s reasons (registration, sending limits, the account)'
      : `were ${a.kind}`;
  const settled = a.kind === 'sender_problem' ? 'messages' : 'settled messages';
  // the peak keeps its own denominator; the current window may since have emptied
  const now =
    a.state === 'resolved'
      ? ''
      : a.volume
        ? ` Now ${fmtPct(a.rate)} of ${fmtInt(a.volume)}.`
        : ' No settled messages in the window now.';
  const usual = a.kind === 'sender_problem' ? '' : `; usual for this scope ${fmtPct(a.baseline)} over the last 7 days`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, SLACK_LIMITS.headerText) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          `*${fmtPct(a.peakRate)}* of ${fmtInt(a.peakVolume ?? 0)} ${settled} sent in the last ${hours} hour${hours === 1 ? '' : 's'} ${what} at the peak.${now} ` +
            `Threshold ${fmtPct(a.threshold)}${usual}.`,
          ...mixLines(mixOf(a)),
          ...[driversLine(driversOf(a)), alertChangeLine(a)].filter((x): x is string => x !== null),
        ].join('\n'),
      },
    },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: stateLine(a, zone) },
        ...(a.state !== 'resolved' && a.ackedBy === null ? [{ type: 'mrkdwn' as const, text: ACK_HINT }] : []),
      ],
    },
  ];
  const esc = escalationOf(a);
  if (esc && a.escalatedAt)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `:rotating_light: Escalated to ${esc.to.map(mentionText).join(' ')} at ${at(a.escalatedAt, zone)} (${zone})${stepWords(esc)}`,
        },
      ],
    });
  if (a.state !== 'resolved') blocks.push(alertActions(a.id, a.ackedBy === null));
  return {
    text: `${title}: ${fmtPct(a.peakRate)} (threshold ${fmtPct(a.threshold)}). ${stateText(a, zone)}.`,
    blocks,
  };
}

/** Slack sends thread replies only from channels the app is a member of. */
export const ACK_HINT =
  'Acknowledge with the button, or reply `ack` in this thread (where the app is a member of the channel).';

/** Acknowledge (until someone has), Snooze and Resolve. */
export function alertActions(id: number, canAcknowledge = true): KnownBlock {
  return {
    type: 'actions',
    block_id: `alert_actions:${id}`,
    elements: [
      ...(canAcknowledge
        ? [
            {
              type: 'button' as const,
              action_id: ALERT_ACTION.ack,
              text: { type: 'plain_text' as const, text: 'Acknowledge' },
              style: 'primary' as const,
              value: String(id),
            },
          ]
        : []),
      {
        type: 'static_select',
        action_id: ALERT_ACTION.snooze,
        placeholder: { type: 'plain_text', text: 'Snooze' },
        options: (['1h', '4h', '24h'] as const).map((d) => ({
          text: { type: 'plain_text' as const, text: `Snooze ${d}` },
          value: `${id}:${d}`,
        })),
      },
      {
        type: 'button',
        action_id: ALERT_ACTION.resolve,
        text: { type: 'plain_text', text: 'Resolve' },
        style: 'danger',
        value: String(id),
      },
    ],
  };
}

export function threadNote(text: string): SlackMessage {
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text).replace(/&lt;@(U\w+)&gt;/g, '<@$1>') } },
    ],
  };
}

/** `alerts status` in words: settings on one line, the digest on the next, then the open alerts. */
export function alertsStatusMessage(st: AlertsStatus): SlackMessage {
  const scopeText =
    st.scope.type === 'all'
      ? ''
      : st.scope.type === 'account'
        ? ` · account ${escapeMrkdwn(st.scope.name)}`
        : ' · scoped to an account this workspace no longer sees: nothing is shown here (`scope all` widens it)';
  const lines = [
    `Alerts are *${st.alertsEnabled ? 'on' : 'off'}* here · undelivered floor ${fmtPct(st.undeliveredFloor)} · unreachable floor ${fmtPct(st.unreachableFloor)}${scopeText}`,
    `Digest *${st.digest.enabled ? `on at ${st.digest.time}` : 'off'}* (${st.digest.zone})`,
    st.escalation
      ? `Escalates ${escalationWords(st.escalation)}`
      : 'Not escalated (`alerts escalate after 30m to @group`)',
    st.quiet ? `Quiet hours ${quietWords(st.quiet, st.digest.zone)}` : 'No quiet hours',
    `Reports: weekly ${st.reports.weekly ? scheduleText(st.reports.weekly) : 'off'} · monthly ${st.reports.monthly ? scheduleText(st.reports.monthly) : 'off'}`,
    st.open.length
      ? `*Open alerts (${st.open.length})*\n${st.open.map((a) => `• ${a.kind} · ${escapeMrkdwn(a.scope)} · ${a.state} · ${fmtPct(a.rate)}`).join('\n')}`
      : 'No open alerts.',
  ];
  return notice(lines.join('\n'));
}

/**
 * The escalation step's thread note: mentions the group or people (Slack notifies them), says
 * how long the alert has waited and which step this is.
 */
export function escalationNote(a: Alert, e: EscalationRecord, minutesOpen: number): SlackMessage {
  const who = e.to.map(mentionText).join(' ');
  // the first note that mentions them says Escalated, whichever step it is (quiet hours, downtime)
  const first = a.escalationPosted === 0 ? 'Escalated' : 'Still unacknowledged';
  const text = `${who} ${first}: this alert has been open ${fmtDuration(minutesOpen)} and nobody has acknowledged it${stepWords(e)}.`;
  return {
    text: `${first}: ${alertTitle(a)}, open ${fmtDuration(minutesOpen)}${stepWords(e)}.`,
    // no buttons here: the parent's are redrawn on every change, a copy in the thread would go stale
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `:rotating_light: ${text} The buttons are on the alert above.` },
      },
    ],
  };
}

/** One message for the alerts held through a channel's quiet hours. */
export function quietSummaryMessage(alerts: Alert[], quiet: string, zone: string): SlackMessage {
  const live = alerts.filter((a) => a.state !== 'resolved');
  const head = `Quiet hours (${quiet}) are over: ${alerts.length} alert${alerts.length === 1 ? ' was' : 's were'} found and held${
    live.length
      ? `; ${live.length} still need${live.length === 1 ? 's' : ''} someone and ${live.length === 1 ? 'follows' : 'follow'} below`
      : ', and all resolved by themselves'
  }.`;
  const rows = alerts.slice(0, 30).map((a) => {
    const state =
      a.state === 'resolved'
        ? `resolved ${a.resolvedBy === 'auto' ? 'by itself' : a.resolvedBy === 'disconnect' ? '(disconnected)' : `by <@${a.resolvedBy}>`} at ${at(a.resolvedAt!, zone)}`
        : 'still open';
    return `• *${escapeMrkdwn(alertTitle(a))}*: peak ${fmtPct(a.peakRate)} of ${fmtInt(a.peakVolume ?? 0)}, found ${at(a.openedAt, zone)}, ${state}`;
  });
  if (alerts.length > 30) rows.push(`…and ${alerts.length - 30} more (\`alerts status\` lists the open ones).`);
  return {
    text: head,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:crescent_moon: ${head}` } },
      { type: 'section', text: { type: 'mrkdwn', text: rows.join('\n').slice(0, SLACK_LIMITS.sectionText) } },
    ],
  };
}

/** What an incident cost, posted in its thread when it is resolved (by hand or by itself). */
export interface IncidentSummary {
  alert: Alert;
  figures: IncidentFigures;
  /** campaign id → name */
  names: Map<string, string>;
  segmentPrice: number;
  /** the whole hours the figures cover */
  from: Date;
  to: Date;
}

const money = (n: number) => `$${n.toFixed(2)}`;

export function incidentSummaryNote(s: IncidentSummary, zone: string): SlackMessage {
  const a = s.alert;
  const f = s.figures;
  const end = a.resolvedAt ?? s.to;
  const minutes = Math.max(0, Math.round((end.getTime() - a.openedAt.getTime()) / 60_000));
  const what = a.kind === 'sender_problem' ? 'failed for the sender’s reasons' : a.kind;
  const lines = [
    `*Incident summary* · ${escapeMrkdwn(alertTitle(a))}`,
    `Lasted *${fmtDuration(Math.max(1, minutes))}* (${at(a.openedAt, zone)} to ${at(end, zone)}, ${zone}) · peak *${fmtPct(a.peakRate)}* of ${fmtInt(a.peakVolume ?? 0)}`,
    `*${fmtInt(f.failures.messages)}* messages (${fmtInt(f.failures.segments)} segments) ${what} · *${money(f.cost)}* spent on undelivered segments (${fmtInt(f.undeliveredSegments)} × ${money(s.segmentPrice)})`,
  ];
  const total = f.failures.messages;
  if (f.reasons.length && total)
    lines.push(
      `*Reasons:* ${f.reasons
        .slice(0, 3)
        .map((r) => `${escapeMrkdwn(r.label)} ${fmtInt(r.messages)} (${fmtPct(r.messages / total, 0)})`)
        .join(' · ')}`,
    );
  if (f.campaigns.length)
    lines.push(
      `*Campaigns:* ${f.campaigns.map((c) => `${escapeMrkdwn(s.names.get(c.campaignId) ?? c.campaignId)} ${fmtPct(c.share, 0)}`).join(' · ')}`,
    );
  const posted = a.postedAt ?? a.openedAt;
  lines.push(
    a.ackedBy && a.ackedAt
      ? `Acknowledged by <@${a.ackedBy}> at ${at(a.ackedAt, zone)}, ${fmtDuration(Math.max(1, Math.round((a.ackedAt.getTime() - posted.getTime()) / 60_000)))} after it was posted${a.escalatedAt ? ' (after escalation)' : ''}.`
      : `Nobody acknowledged it${a.escalatedAt ? ', though it was escalated' : ''}.`,
  );
  lines.push(
    `_Counts cover the whole hours ${at(s.from, zone)}–${at(s.to, zone)}, from the alert’s window before it opened to its end._`,
  );
  const text = `Incident summary: ${alertTitle(a)} lasted ${fmtDuration(Math.max(1, minutes))}; ${fmtInt(f.failures.messages)} messages ${what}; ${money(f.cost)} on undelivered segments.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }] };
}
