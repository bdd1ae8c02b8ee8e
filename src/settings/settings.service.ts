import type { Knex } from 'knex';
import type { Config } from '../config';
import { loadDirectory } from '../db/directory.repository';
import { notice, type SlackMessage } from '../messages/message';
import { escapeMrkdwn, fmtPct } from '../messages/mrkdwn';
import { saveChannelSettings, type ChannelSettings } from './channel-settings.repository';
import { zoneOf } from './channels';
import type { RequestContext } from './request-context';
import type { SettingsCommand } from './settings-command';

export type SettingsChange = Extract<
  SettingsCommand,
  { type: 'digest-on' | 'digest-off' | 'digest-empty' | 'alerts-on' | 'alerts-off' | 'alerts-floor' | 'scope' }
>;

export const EDITORS_ONLY = ':lock: Only workspace admins can change this channel’s digest and alert settings.';

/** Changes a channel's digest, alert or scope settings, for editors only; says what it did. */
export async function changeSettings(
  deps: { db: Knex; config: Config },
  ctx: RequestContext,
  c: SettingsChange,
  now: Date,
): Promise<{ changed: boolean; message: SlackMessage }> {
  if (!(await ctx.isAdmin())) return { changed: false, message: notice(EDITORS_ONLY) };
  const s = ctx.settings;
  const save = async (next: ChannelSettings, text: string) => {
    await saveChannelSettings(deps.db, next, ctx.userId, now);
    return { changed: true, message: notice(text) };
  };
  switch (c.type) {
    case 'digest-on': {
      const next = { ...s, digestEnabled: true, digestTime: c.time ?? s.digestTime, timezone: c.zone ?? s.timezone };
      return save(
        next,
        `:white_check_mark: The daily digest will be posted here at *${next.digestTime}* (${zoneOf(next, deps.config)}), covering the day before.`,
      );
    }
    case 'digest-off':
      return save({ ...s, digestEnabled: false }, 'The daily digest is off for this channel.');
    case 'digest-empty':
      return save(
        { ...s, digestWhenEmpty: c.post },
        c.post ? 'Days without campaigns get a one-line digest.' : 'Days without campaigns get no digest.',
      );
    case 'alerts-on':
      return save(
        { ...s, alertsEnabled: true },
        ':white_check_mark: Spike alerts and auto-unsubscribe announcements will be posted here.',
      );
    case 'alerts-off':
      return save({ ...s, alertsEnabled: false }, 'Alerts are off for this channel.');
    case 'alerts-floor':
      return save(
        { ...s, ...(c.kind === 'undelivered' ? { undeliveredFloor: c.floor } : { unreachableFloor: c.floor }) },
        `The ${c.kind} alert floor for this channel is now *${fmtPct(c.floor)}* (an alert also needs twice the usual rate and enough volume).`,
      );
    case 'scope': {
      if (c.account === null) return save({ ...s, accountId: null }, 'This channel now covers every account.');
      // only among the accounts the workspace may see: another's is answered as unknown
      const dir = await loadDirectory(deps.db, { accounts: ctx.workspaceAccounts });
      const match = dir.accounts.find(
        (a) => a.id === c.account || (a.name ?? '').toLowerCase() === c.account!.toLowerCase(),
      );
      if (!match)
        return {
          changed: false,
          message: notice(
            `No account called "${escapeMrkdwn(c.account)}". Known: ${dir.accounts.map((a) => `\`${a.id}\``).join(', ') || 'none yet'}.`,
          ),
        };
      return save(
        { ...s, accountId: match.id },
        `This channel’s digests and alerts now cover only *${escapeMrkdwn(match.name ?? match.id)}*.`,
      );
    }
  }
}
