import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { alertActions, alertTitle, stateWords } from '../alerts/alert.blocks';
import { fmtDuration } from '../domain/escalation';
import { scheduleText } from '../domain/report-schedule';
import { escapeMrkdwn, fmtInt } from '../messages/mrkdwn';
import { SLACK_LIMITS } from '../messages/block-limits';
import { escalationWords, quietWords } from '../settings/settings.blocks';
import type { HomeData } from './home.service';

export const HOME_ACTION = { stats7d: 'home_stats_7d' } as const;

/** Alerts drawn with their buttons (two blocks each); the rest are counted, not drawn. */
export const HOME_ALERTS_SHOWN = 20;
/** Channel lines per section, and sections: the rest are counted. */
const CHANNELS_PER_SECTION = 15;
const CHANNEL_SECTIONS = 3;
const NAMES_SHOWN = 20;

const STATE_EMOJI = {
  open: ':red_circle:',
  acknowledged: ':large_orange_circle:',
  snoozed: ':zzz:',
  resolved: '',
} as const;

/** Slack's link to a message: the archive URL, which Slack opens in the workspace of whoever clicks. */
export const messageLink = (channel: string, ts: string): string =>
  `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;

/**
 * The Home tab of a workspace (pure): its accounts, its open alerts with the same buttons as
 * the alert's message, every channel the app posts to with its settings, the at-risk count,
 * and a button for the 7-day answer. Always within Slack's 100 blocks of a view: past 20 alerts
 * or 45 channels the rest are counted.
 */
export function homeView(d: HomeData, now: Date): { type: 'home'; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [];
  const section = (text: string): KnownBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: text.slice(0, SLACK_LIMITS.sectionText) },
  });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'campaign-stats' } });
  const names = d.accounts.all ? [] : d.accounts.names;
  blocks.push(
    section(
      d.accounts.all
        ? 'This workspace sees *every account*.'
        : names.length === 0
          ? 'This workspace sees *no account yet*: `/campaign-stats connect CODE` with a link code from your messaging platform.'
          : `This workspace sees *${names.slice(0, NAMES_SHOWN).map(escapeMrkdwn).join('*, *')}*${names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : ''}.`,
    ),
  );
  blocks.push({
    type: 'actions',
    block_id: 'home_stats',
    elements: [
      {
        type: 'button',
        action_id: HOME_ACTION.stats7d,
        text: { type: 'plain_text', text: 'Last 7 days (only you)' },
        value: '7d',
      },
    ],
  });
  blocks.push({ type: 'divider' });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: `Open alerts (${d.alerts.length})` } });
  if (d.alerts.length === 0) blocks.push(section('No open alerts.'));
  for (const { alert: a, zone } of d.alerts.slice(0, HOME_ALERTS_SHOWN)) {
    const w = stateWords(a, zone);
    const age = fmtDuration(Math.max(1, Math.round((now.getTime() - a.openedAt.getTime()) / 60_000)));
    const where = a.messageTs
      ? `in <#${a.channelId}> · <${messageLink(a.channelId, a.messageTs)}|view the alert>`
      : `in <#${a.channelId}> (held for quiet hours)`;
    blocks.push(
      section(
        `${STATE_EMOJI[a.state]} *${escapeMrkdwn(alertTitle(a))}* ${where}\n${w.head} ${w.rest} · open ${age}${a.escalatedAt ? ' · escalated' : ''}`,
      ),
    );
    blocks.push(alertActions(a.id, a.ackedBy === null));
  }
  if (d.alerts.length > HOME_ALERTS_SHOWN)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `…and ${d.alerts.length - HOME_ALERTS_SHOWN} more open alerts: \`/campaign-stats alerts status\` in each channel lists its own.`,
        },
      ],
    });
  blocks.push({ type: 'divider' });
  blocks.push({ type: 'header', text: { type: 'plain_text', text: `Channels (${d.channels.length})` } });
  const lines = d.channels.map(({ settings: s, zone, accountName }) =>
    [
      `<#${s.channelId}>`,
      s.digestEnabled ? `digest ${s.digestTime} ${zone}` : 'no digest',
      s.alertsEnabled ? 'alerts on' : 'alerts off',
      accountName === null
        ? 'every account'
        : accountName === ''
          ? 'an account no longer seen'
          : escapeMrkdwn(accountName),
      ...(s.escalation ? [`escalates ${escalationWords(s.escalation)}`] : []),
      ...(s.quiet ? [`quiet ${quietWords(s.quiet, zone)}`] : []),
      ...(s.reports.weekly ? [`weekly report ${scheduleText(s.reports.weekly)}`] : []),
      ...(s.reports.monthly ? [`monthly report ${scheduleText(s.reports.monthly)}`] : []),
    ].join(' · '),
  );
  if (lines.length === 0)
    blocks.push(section('The app posts to no channel yet: `/campaign-stats digest on` or `alerts on` in a channel.'));
  for (let i = 0; i < Math.min(lines.length, CHANNELS_PER_SECTION * CHANNEL_SECTIONS); i += CHANNELS_PER_SECTION)
    blocks.push(section(lines.slice(i, i + CHANNELS_PER_SECTION).join('\n')));
  if (lines.length > CHANNELS_PER_SECTION * CHANNEL_SECTIONS)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `…and ${lines.length - CHANNELS_PER_SECTION * CHANNEL_SECTIONS} more channels.`,
        },
      ],
    });
  blocks.push({ type: 'divider' });
  blocks.push(
    section(
      d.atRisk === 0
        ? ':large_green_circle: No number is at risk of auto-unsubscribe.'
        : `:warning: *${fmtInt(d.atRisk)}* number${d.atRisk === 1 ? ' is' : 's are'} at risk of auto-unsubscribe (${d.atRiskFrom}+ failed campaigns in a row): \`/campaign-stats at-risk\` lists them.`,
    ),
  );
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `Updated ${DateTime.fromJSDate(now, { zone: 'UTC' }).toFormat('LLL d HH:mm')} UTC` },
    ],
  });
  return { type: 'home', blocks };
}
