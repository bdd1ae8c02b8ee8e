import type { RespondArguments } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import { liveAlerts } from '../../alerts/alerts.repository';
import { scopeName } from '../../alerts/alert.blocks';
import { loadDirectory } from '../../db/directory.repository';
import { buildDigest, digestMessages } from '../../digests/digest.service';
import { isPeriodError, resolvePeriod } from '../../domain/period';
import { saveChannelSettings } from '../../settings/channel-settings.repository';
import { settingsFor, zoneOf } from '../../settings/channels';
import { changesSettings, type SettingsCommand } from '../../settings/settings-command';
import { atRiskSubscribers, autoUnsubscribesBetween } from '../../unsubscribes/unsubscribes.repository';
import { escapeMrkdwn, fmtPct, maskPhone } from '../blocks/mrkdwn';
import type { SlackDeps } from '../slack-deps';

const say = (text: string): RespondArguments => ({ response_type: 'ephemeral', text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] });

/** Who may change a channel's settings: workspace admins and owners, unless SETTINGS_EDITORS=everyone. */
async function mayEdit(deps: SlackDeps, client: WebClient, user: string): Promise<boolean> {
  if (deps.config.settingsEditors === 'everyone') return true;
  const info = await client.users.info({ user });
  return Boolean(info.user?.is_admin || info.user?.is_owner);
}

export async function runSettingsCommand(deps: SlackDeps, client: WebClient, c: SettingsCommand, channel: string, user: string): Promise<RespondArguments> {
  const now = deps.clock.now();
  if (changesSettings(c) && !(await mayEdit(deps, client, user))) {
    return say(':lock: Only workspace admins can change this channel’s digest and alert settings.');
  }
  const s = await settingsFor(deps.db, deps.config, channel);
  const zone = zoneOf(s, deps.config);
  const save = (next: typeof s) => saveChannelSettings(deps.db, next, user, now);
  switch (c.type) {
    case 'digest-on': {
      const next = { ...s, digestEnabled: true, digestTime: c.time ?? s.digestTime, timezone: c.zone ?? s.timezone };
      await save(next);
      return say(`:white_check_mark: The daily digest will be posted here at *${next.digestTime}* (${zoneOf(next, deps.config)}), covering the day before.`);
    }
    case 'digest-off':
      await save({ ...s, digestEnabled: false });
      return say('The daily digest is off for this channel.');
    case 'digest-empty':
      await save({ ...s, digestWhenEmpty: c.post });
      return say(c.post ? 'Days without campaigns get a one-line digest.' : 'Days without campaigns get no digest.');
    case 'digest-preview': {
      const date = c.date ?? DateTime.fromJSDate(now, { zone }).minus({ days: 1 }).toISODate()!;
      const { parent } = digestMessages(await buildDigest(deps.db, deps.config, s, date, now), null);
      return { response_type: 'ephemeral', ...parent };
    }
    case 'alerts-on':
      await save({ ...s, alertsEnabled: true });
      return say(':white_check_mark: Spike alerts and auto-unsubscribe announcements will be posted here.');
    case 'alerts-off':
      await save({ ...s, alertsEnabled: false });
      return say('Alerts are off for this channel.');
    case 'alerts-floor': {
      await save({ ...s, ...(c.kind === 'undelivered' ? { undeliveredFloor: c.floor } : { unreachableFloor: c.floor }) });
      return say(`The ${c.kind} alert floor for this channel is now *${fmtPct(c.floor)}* (an alert also needs twice the usual rate and enough volume).`);
    }
    case 'alerts-status': {
      const live = await liveAlerts(deps.db, channel);
      const lines = [
        `Alerts are *${s.alertsEnabled ? 'on' : 'off'}* here · undelivered floor ${fmtPct(s.undeliveredFloor ?? 0.05)} · unreachable floor ${fmtPct(s.unreachableFloor ?? 0.05)}${s.accountId ? ` · account ${escapeMrkdwn(s.accountId)}` : ''}`,
        `Digest *${s.digestEnabled ? `on at ${s.digestTime}` : 'off'}* (${zone})`,
        live.length ? `*Open alerts (${live.length})*\n${live.map((a) => `• ${a.kind} · ${escapeMrkdwn(scopeName(a))} · ${a.state} · ${fmtPct(a.rate)}`).join('\n')}` : 'No open alerts.',
      ];
      return say(lines.join('\n'));
    }
    case 'scope': {
      if (c.account === null) {
        await save({ ...s, accountId: null });
        return say('This channel now covers every account.');
      }
      const dir = await loadDirectory(deps.db);
      const match = dir.accounts.find((a) => a.id === c.account || (a.name ?? '').toLowerCase() === c.account!.toLowerCase());
      if (!match) return say(`No account called "${escapeMrkdwn(c.account)}". Known: ${dir.accounts.map((a) => `\`${a.id}\``).join(', ') || 'none yet'}.`);
      await save({ ...s, accountId: match.id });
      return say(`This channel’s digests and alerts now cover only *${escapeMrkdwn(match.name ?? match.id)}*.`);
    }
    case 'at-risk': {
      const t = deps.config.autoUnsubscribeAfter;
      const list = await atRiskSubscribers(deps.db, Math.max(1, t - 2), t - 1, s.accountId, 60);
      if (!list.length) return say(`No numbers are at risk (${Math.max(1, t - 2)}–${t - 1} failed campaigns in a row).`);
      return say(`*Numbers at risk* (${t - 2}–${t - 1} failed campaigns in a row; ${t} unsubscribes):\n${list.map((x) => `• ${maskPhone(x.phone)} · ${escapeMrkdwn(x.carrier ?? 'Unknown')} · ${escapeMrkdwn(x.accountId)} · ${x.failStreak} failed`).join('\n')}`);
    }
    case 'unsubscribed': {
      const p = resolvePeriod(c.period ?? '7d', zone, now);
      if (isPeriodError(p)) return say(`:warning: ${p.message}`);
      const list = await autoUnsubscribesBetween(deps.db, p.start, p.end, s.accountId);
      if (!list.length) return say(`No numbers were auto-unsubscribed in ${p.label} (${zone}).`);
      return say(
        `*Auto-unsubscribed in ${p.label}* (${list.length}):\n${list
          .slice(0, 60)
          .map((x) => `• ${maskPhone(x.phone)} · ${escapeMrkdwn(x.carrier ?? 'Unknown')} · ${escapeMrkdwn(x.accountId)} · ${x.restoredAt ? `restored by <@${x.restoredBy}>` : `${x.campaigns.length} failed campaigns`}`)
          .join('\n')}${list.length > 60 ? `\n…and ${list.length - 60} more` : ''}`,
      );
    }
  }
}
