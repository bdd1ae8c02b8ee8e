import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { escapeMrkdwn, fmtInt, fmtPct } from '../messages/mrkdwn';
import { notice, type SlackMessage } from '../messages/message';
import type { Alert } from './alerts.repository';
import type { AlertsStatus } from './alerts.service';
import { REASONS, type ReasonCode } from '../domain/reasons';
import { isCarrierBlocked } from '../domain/alert-rule';
import { SLACK_LIMITS } from '../messages/block-limits';

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
    st.open.length
      ? `*Open alerts (${st.open.length})*\n${st.open.map((a) => `• ${a.kind} · ${escapeMrkdwn(a.scope)} · ${a.state} · ${fmtPct(a.rate)}`).join('\n')}`
      : 'No open alerts.',
  ];
  return notice(lines.join('\n'));
}
