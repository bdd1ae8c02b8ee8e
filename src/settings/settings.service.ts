import type { Knex } from 'knex';
import type { Config } from '../config';
import { loadDirectory } from '../db/directory.repository';
import { saveChannelSettings, type ChannelSettings } from './channel-settings.repository';
import { zoneOf } from './channels';
import type { RequestContext } from './request-context';
import type { SettingsCommand } from './settings-command';
import { DEFAULT_ESCALATE_AFTER_MINUTES, DEFAULT_RENOTIFY_MAX, type Mention } from '../domain/escalation';

export type SettingsChange = Extract<
  SettingsCommand,
  {
    type:
      | 'digest-on'
      | 'digest-off'
      | 'digest-empty'
      | 'alerts-on'
      | 'alerts-off'
      | 'alerts-floor'
      | 'alerts-escalate'
      | 'alerts-escalate-off'
      | 'alerts-renotify'
      | 'alerts-renotify-off'
      | 'alerts-quiet'
      | 'alerts-quiet-off'
      | 'report-on'
      | 'report-off'
      | 'scope';
  }
>;

/** What a settings change did; `settings.blocks.ts` says it in words. */
export type SettingsOutcome =
  | { type: 'not-editor' }
  | { type: 'unknown-account'; account: string; known: string[] }
  /** `@handle` is neither a user group nor a person of this workspace */
  | { type: 'unknown-mention'; handle: string }
  /** `alerts renotify` before anyone to escalate to */
  | { type: 'no-escalation' }
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
    case 'alerts-escalate': {
      const to: Mention[] = [];
      for (const t of c.targets) {
        const m = t.type === 'handle' ? await ctx.resolveMention(t.handle) : t;
        if (!m) return { type: 'unknown-mention', handle: t.type === 'handle' ? t.handle : t.id };
        if (!to.some((x) => x.id === m.id)) to.push(m);
      }
      return save({
        ...s,
        escalation: {
          to,
          afterMinutes: c.afterMinutes ?? s.escalation?.afterMinutes ?? DEFAULT_ESCALATE_AFTER_MINUTES,
          everyMinutes: s.escalation?.everyMinutes ?? null,
          maxRenotify: s.escalation?.maxRenotify ?? DEFAULT_RENOTIFY_MAX,
        },
      });
    }
    case 'alerts-escalate-off':
      return save({ ...s, escalation: null });
    case 'alerts-renotify':
      if (!s.escalation) return { type: 'no-escalation' };
      return save({
        ...s,
        escalation: { ...s.escalation, everyMinutes: c.everyMinutes, maxRenotify: c.max ?? DEFAULT_RENOTIFY_MAX },
      });
    case 'alerts-renotify-off':
      return save({ ...s, escalation: s.escalation ? { ...s.escalation, everyMinutes: null } : null });
    case 'alerts-quiet':
      return save({ ...s, quiet: { start: c.start, end: c.end, zone: c.zone } });
    case 'alerts-quiet-off':
      return save({ ...s, quiet: null });
    case 'report-on':
      // a zone given is the channel's zone (its digest's and reports' alike), as `digest on` does
      return save({
        ...s,
        timezone: c.zone ?? s.timezone,
        reports: { ...s.reports, [c.schedule.kind]: c.schedule },
      });
    case 'report-off':
      return save({ ...s, reports: { ...s.reports, [c.kind]: null } });
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
