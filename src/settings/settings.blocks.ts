import { notice, type SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtPct } from '../messages/mrkdwn';
import type { SettingsOutcome } from './settings.service';
import type { ChannelSettings } from './channel-settings.repository';
import { fmtDuration, mentionText, SEVERE_MIN_MESSAGES, SEVERE_MULTIPLE } from '../domain/escalation';
import type { ReportSchedule } from '../domain/report-schedule';

/** "to <!subteam^S1> after 30m unacknowledged, then every 1h (up to 3 more times)", the one wording of a policy. */
export function escalationWords(e: NonNullable<ChannelSettings['escalation']>): string {
  const then =
    e.everyMinutes === null
      ? ''
      : `, then every ${fmtDuration(e.everyMinutes)} (up to ${e.maxRenotify} more time${e.maxRenotify === 1 ? '' : 's'})`;
  return `to ${e.to.map(mentionText).join(' ')} after ${fmtDuration(e.afterMinutes)} unacknowledged${then}`;
}

/** "A weekly report every Monday at 09:00 (America/Denver)" */
export function reportWords(r: ReportSchedule, zone: string): string {
  const day =
    r.kind === 'weekly'
      ? `every ${['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][r.day - 1]}`
      : `on day ${r.day} of every month`;
  return `A ${r.kind} report ${day} at ${r.time} (${zone})`;
}

/** "21:00–08:00 America/Denver" */
export const quietWords = (q: NonNullable<ChannelSettings['quiet']>, channelZone: string): string =>
  `${q.start}–${q.end} ${q.zone ?? channelZone}`;

export const SEVERE_RULE = `a sender problem, or a rate at least ${SEVERE_MULTIPLE}× its threshold over at least ${SEVERE_MIN_MESSAGES.toLocaleString('en-US')} messages`;

export const EDITORS_ONLY = ':lock: Only workspace admins can change this channel’s digest and alert settings.';

/** What a settings change did (or why it did nothing), in the channel's words. */
export function settingsMessage(o: SettingsOutcome): SlackMessage {
  if (o.type === 'not-editor') return notice(EDITORS_ONLY);
  if (o.type === 'unknown-account')
    return notice(
      `No account called "${escapeMrkdwn(o.account)}". Known: ${o.known.map((id) => `\`${id}\``).join(', ') || 'none yet'}.`,
    );
  if (o.type === 'unknown-mention')
    return notice(
      `No user group or person called @${escapeMrkdwn(o.handle)} in this workspace. Name a user group by its handle (like @deliverability-oncall), or people by their usernames.`,
    );
  if (o.type === 'no-escalation')
    return notice('Nobody to re-notify yet: first `alerts escalate after 30m to @deliverability-oncall`.');
  const { change: c, settings: s } = o;
  switch (c.type) {
    case 'digest-on':
      return notice(
        `:white_check_mark: The daily digest will be posted here at *${s.digestTime}* (${o.zone}), covering the day before.`,
      );
    case 'digest-off':
      return notice('The daily digest is off for this channel.');
    case 'digest-empty':
      return notice(c.post ? 'Days without campaigns get a one-line digest.' : 'Days without campaigns get no digest.');
    case 'alerts-on':
      return notice(':white_check_mark: Spike alerts and auto-unsubscribe announcements will be posted here.');
    case 'alerts-off':
      return notice('Alerts are off for this channel.');
    case 'alerts-floor':
      return notice(
        `The ${c.kind} alert floor for this channel is now *${fmtPct(c.floor)}* (an alert also needs twice the usual rate and enough volume).`,
      );
    case 'alerts-escalate':
    case 'alerts-renotify':
      return notice(
        `:rotating_light: An alert nobody acknowledges is escalated here ${escalationWords(s.escalation!)}. Acknowledge, snooze or resolve stops it.`,
      );
    case 'alerts-escalate-off':
      return notice('Alerts in this channel are no longer escalated.');
    case 'alerts-renotify-off':
      return notice(
        s.escalation
          ? `Escalation now notifies once: ${escalationWords(s.escalation)}.`
          : 'Alerts in this channel are not escalated.',
      );
    case 'alerts-quiet':
      return notice(
        `:crescent_moon: Quiet hours ${quietWords(s.quiet!, o.zone)}: alerts found then are held and posted as one summary when they end, unless severe (${SEVERE_RULE}). Digests are unaffected.`,
      );
    case 'alerts-quiet-off':
      return notice('No quiet hours: alerts are posted as soon as they are found.');
    case 'report-on':
      return notice(
        `:bar_chart: ${reportWords(c.schedule, o.zone)}: the ${c.schedule.kind === 'weekly' ? 'last week (Monday to Sunday)' : 'last month'} against the one before, what changed, best and worst campaigns, carriers, reasons, money on undelivered segments, auto-unsubscribes, a chart, and the CSV files in its thread.`,
      );
    case 'report-off':
      return notice(`No ${c.kind} report in this channel.`);
    case 'scope':
      return o.accountName === null
        ? notice('This channel now covers every account.')
        : notice(`This channel’s digests and alerts now cover only *${escapeMrkdwn(o.accountName)}*.`);
  }
}
