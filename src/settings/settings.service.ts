import type { Knex } from 'knex';
import type { Config } from '../config';
import { loadDirectory } from '../db/directory.repository';
import { saveChannelSettings, type ChannelSettings } from './channel-settings.repository';
import { zoneOf } from './channels';
import type { RequestContext } from './request-context';
import type { SettingsCommand } from './settings-command';

export type SettingsChange = Extract<
  SettingsCommand,
  { type: 'digest-on' | 'digest-off' | 'digest-empty' | 'alerts-on' | 'alerts-off' | 'alerts-floor' | 'scope' }
>;

/** What a settings change did; `settings.blocks.ts` says it in words. */
export type SettingsOutcome =
  | { type: 'not-editor' }
  | { type: 'unknown-account'; account: string; known: string[] }
  | {
      type: 'saved';
      change: SettingsChange;
      settings: ChannelSettings;
      /** the channel's zone after the change */
      zone: string;
      /** the account a `scope` change narrowed to, by name (null: every account) */
      accountName: string | null;
    };

/** Changes a channel's digest, alert or scope settings, for editors only. */
export async function changeSettings(
  deps: { db: Knex; config: Config },
  ctx: RequestContext,
  c: SettingsChange,
  now: Date,
): Promise<SettingsOutcome> {
  if (!(await ctx.isAdmin())) return { type: 'not-editor' };
  const s = ctx.settings;
  const save = async (next: ChannelSettings, accountName: string | null = null): Promise<SettingsOutcome> => {
    await saveChannelSettings(deps.db, next, ctx.userId, now);
    return { type: 'saved', change: c, settings: next, zone: zoneOf(next, deps.config), accountName };
  };
  switch (c.type) {
    case 'digest-on':
      return save({ ...s, digestEnabled: true, digestTime: c.time ?? s.digestTime, timezone: c.zone ?? s.timezone });
    case 'digest-off':
      return save({ ...s, digestEnabled: false });
    case 'digest-empty':
      return save({ ...s, digestWhenEmpty: c.post });
    case 'alerts-on':
      return save({ ...s, alertsEnabled: true });
    case 'alerts-off':
      return save({ ...s, alertsEnabled: false });
    case 'alerts-floor':
      return save({
        ...s,
        ...(c.kind === 'undelivered' ? { undeliveredFloor: c.floor } : { unreachableFloor: c.floor }),
      });
    case 'scope': {
      if (c.account === null) return save({ ...s, accountId: null });
      // only among the accounts the workspace may see: another's is answered as unknown
      const dir = await loadDirectory(deps.db, { accounts: ctx.workspaceAccounts });
      const match = dir.accounts.find(
        (a) => a.id === c.account || (a.name ?? '').toLowerCase() === c.account!.toLowerCase(),
      );
      if (!match) return { type: 'unknown-account', account: c.account, known: dir.accounts.map((a) => a.id) };
      return save({ ...s, accountId: match.id }, match.name ?? match.id);
    }
  }
}
