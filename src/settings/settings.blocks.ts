import { notice, type SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtPct } from '../messages/mrkdwn';
import type { SettingsOutcome } from './settings.service';

export const EDITORS_ONLY = ':lock: Only workspace admins can change this channel’s digest and alert settings.';

/** What a settings change did (or why it did nothing), in the channel's words. */
export function settingsMessage(o: SettingsOutcome): SlackMessage {
  if (o.type === 'not-editor') return notice(EDITORS_ONLY);
  if (o.type === 'unknown-account')
    return notice(
      `No account called "${escapeMrkdwn(o.account)}". Known: ${o.known.map((id) => `\`${id}\``).join(', ') || 'none yet'}.`,
    );
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
    case 'scope':
      return o.accountName === null
        ? notice('This channel now covers every account.')
        : notice(`This channel’s digests and alerts now cover only *${escapeMrkdwn(o.accountName)}*.`);
  }
}
