import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { escapeMrkdwn, fmtInt, fmtPct } from '../slack/blocks/mrkdwn';
import type { SlackMessage } from '../slack/blocks/stats.blocks';
import type { Alert } from './alerts.repository';

export const ALERT_ACTION = { ack: 'alert_ack', snooze: 'alert_snooze', resolve: 'alert_resolve' } as const;

export function scopeName(a: Pick<Alert, 'scope'>, accountName?: string | null): string {
  const parts = [a.scope.carrier !== null ? a.scope.carrier || 'Unknown carrier' : 'All carriers', a.scope.type ? a.scope.type.toUpperCase() : null, a.scope.accountId ? `account ${accountName ?? a.scope.accountId}` : null];
  return parts.filter(Boolean).join(' · ');
}

const at = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('LLL d HH:mm');

export function stateLine(a: Alert, zone: string): string {
  switch (a.state) {
    case 'open':
      return `:red_circle: *Open* since ${at(a.openedAt, zone)} (${zone})`;
    case 'acknowledged':
      return `:large_orange_circle: *Acknowledged* by <@${a.ackedBy}> at ${at(a.ackedAt!, zone)} (${zone})`;
    case 'snoozed':
      return `:zzz: *Snoozed* by <@${a.ackedBy}> until ${at(a.snoozedUntil!, zone)} (${zone})`;
    case 'resolved':
      return `:large_green_circle: *Resolved* ${a.resolvedBy === 'auto' ? 'automatically (the rate stayed back under the threshold)' : `by <@${a.resolvedBy}>`} at ${at(a.resolvedAt!, zone)} (${zone})` + (a.ackedBy ? ` · acknowledged by <@${a.ackedBy}>` : '');
  }
}

/** The parent message of a rate alert, redrawn on every state change. */
export function spikeAlertMessage(a: Alert, zone: string, windowMinutes: number): SlackMessage {
  const what = a.kind === 'undelivered' ? 'Undelivered' : 'Unreachable';
  const scope = scopeName(a);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${what} rate spike — ${scope}`.slice(0, 150) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*${fmtPct(a.peakRate)}* of ${fmtInt(a.volume ?? 0)} settled messages sent in the last ${windowMinutes / 60} hours were ${what.toLowerCase()} at the peak ` +
          `(now ${fmtPct(a.rate)}). Threshold ${fmtPct(a.threshold)}; usual for this scope ${fmtPct(a.baseline)} over the last 7 days.`,
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: stateLine(a, zone) }] },
  ];
  if (a.state !== 'resolved') blocks.push(alertActions(a.id, a.state !== 'acknowledged'));
  return { text: `${what} rate spike — ${scope}: ${fmtPct(a.peakRate)} (threshold ${fmtPct(a.threshold)}). ${stateLine(a, zone).replace(/[*:]/g, '')}`, blocks };
}

/** Acknowledge (until someone has), Snooze and Resolve. */
export function alertActions(id: number, canAcknowledge = true): KnownBlock {
  return {
    type: 'actions',
    block_id: `alert_actions:${id}`,
    elements: [
      ...(canAcknowledge ? [{ type: 'button' as const, action_id: ALERT_ACTION.ack, text: { type: 'plain_text' as const, text: 'Acknowledge' }, style: 'primary' as const, value: String(id) }] : []),
      {
        type: 'static_select',
        action_id: ALERT_ACTION.snooze,
        placeholder: { type: 'plain_text', text: 'Snooze' },
        options: (['1h', '4h', '24h'] as const).map((d) => ({ text: { type: 'plain_text' as const, text: `Snooze ${d}` }, value: `${id}:${d}` })),
      },
      { type: 'button', action_id: ALERT_ACTION.resolve, text: { type: 'plain_text', text: 'Resolve' }, style: 'danger', value: String(id) },
    ],
  };
}

export function threadNote(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text).replace(/&lt;@(U\w+)&gt;/g, '<@$1>') } }] };
}
