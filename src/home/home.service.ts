import type { Knex } from 'knex';
import type { Config } from '../config';
import { liveAlertsOfTeam, type Alert } from '../alerts/alerts.repository';
import { accountNames, loadDirectory } from '../db/directory.repository';
import { toDbTime } from '../db/dialect';
import { sees, type AccountScope } from '../domain/account-scope';
import { atRiskBand } from '../domain/auto-unsubscribe';
import { effectiveChannels, zoneOf } from '../settings/channels';
import { teamKey, type ChannelSettings } from '../settings/channel-settings.repository';
import { countAtRisk } from '../unsubscribes/unsubscribes.repository';
import type { Notifier } from '../messages/notifier';
import { homeView } from './home.blocks';
import type { WorkspaceDirectory } from '../workspaces/workspace-directory';
import type { Logger } from '../logger';

/** What a workspace's Home tab shows: all of it within the workspace's accounts. */
export interface HomeData {
  /** every account (the platform's own workspace), or these, by name */
  accounts: { all: true } | { all: false; names: string[] };
  /** live alerts, newest first, with the account names they mention */
  alerts: Array<{ alert: Alert; zone: string }>;
  channels: Array<{ settings: ChannelSettings; zone: string; accountName: string | null }>;
  atRisk: number;
  /** the at-risk band's lower end (failed campaigns in a row) */
  atRiskFrom: number;
}

/**
 * The Home data of one workspace (`teamId` as stored: null for the default one). Alerts and
 * channel scopes about an account the workspace no longer sees are left out, as everywhere.
 */
export async function homeData(
  db: Knex,
  config: Config,
  teamId: string | null,
  accounts: AccountScope,
): Promise<HomeData> {
  const channels = (await effectiveChannels(db, config)).filter((c) => teamKey(c.teamId) === teamKey(teamId));
  const zoneOfChannel = new Map(channels.map((c) => [c.channelId, zoneOf(c, config)]));
  const live = (await liveAlertsOfTeam(db, teamId))
    .filter((a) => a.scope.accountId === null || sees(accounts, a.scope.accountId))
    .filter((a) => {
      const ch = channels.find((c) => c.channelId === a.channelId);
      return !ch?.accountId || sees(accounts, ch.accountId);
    })
    .sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime());
  const scoped = channels.map((c) => c.accountId).filter((x): x is string => x !== null && sees(accounts, x));
  const names = await accountNames(db, [...new Set(scoped)]);
  const band = atRiskBand(config.autoUnsubscribeAfter);
  return {
    accounts: accounts.all
      ? { all: true }
      : {
          all: false,
          names: (await loadDirectory(db, { accounts })).accounts.map((a) => a.name ?? a.id),
        },
    alerts: live.map((alert) => ({ alert, zone: zoneOfChannel.get(alert.channelId) ?? config.defaultTimezone })),
    channels: channels.map((c) => ({
      settings: c,
      zone: zoneOf(c, config),
      accountName:
        c.accountId === null ? null : sees(accounts, c.accountId) ? (names.get(c.accountId) ?? c.accountId) : '',
    })),
    atRisk: await countAtRisk(db, band.min, band.max, accounts),
    atRiskFrom: band.min,
  };
}

/** Remembers who opened Home, to redraw it for them when an alert changes. */
export async function recordHomeOpened(db: Knex, teamId: string | null, userId: string, now: Date): Promise<void> {
  await db('home_views')
    .insert({ team_id: teamKey(teamId), user_id: userId, opened_at: toDbTime(now) })
    .onConflict(['team_id', 'user_id'])
    .merge();
}

/** Redraws Home for at most this many of a workspace's users (the most recent first). */
export const HOME_REDRAW_USERS = 25;
/** …who opened it within this many days. */
export const HOME_REDRAW_DAYS = 14;

/** Publishes the workspace's Home to those who opened it lately (after an alert changed). */
export async function refreshHomes(
  db: Knex,
  config: Config,
  notifier: Notifier,
  teamId: string | null,
  accounts: AccountScope,
  now: Date,
): Promise<number> {
  const users = (await db('home_views')
    .select('user_id')
    .where({ team_id: teamKey(teamId) })
    .andWhere('opened_at', '>=', toDbTime(new Date(now.getTime() - HOME_REDRAW_DAYS * 86_400_000)))
    .orderBy('opened_at', 'desc')
    .limit(HOME_REDRAW_USERS)) as Array<{ user_id: string }>;
  if (users.length === 0) return 0;
  const view = homeView(await homeData(db, config, teamId, accounts), now);
  for (const u of users) await notifier.publishHome(u.user_id, view);
  return users.length;
}

/**
 * What an alert change calls to redraw the Home tabs of its workspace (scheduler and Slack
 * clicks alike). A failure to publish is logged, never thrown into the change that caused it.
 */
export function homeRedrawer(
  db: Knex,
  config: Config,
  workspaces: WorkspaceDirectory,
  now: () => Date,
  log: Logger,
): (a: Alert) => Promise<void> {
  return async (a) => {
    try {
      const notifier = await workspaces.notifierFor(a.teamId);
      if (!notifier) return;
      const accounts = await workspaces.accountsOf({ teamId: a.teamId, accountId: null });
      await refreshHomes(db, config, notifier, a.teamId, accounts, now());
    } catch (err) {
      log.warn({ alert: a.id, err: (err as Error).message }, 'Home tabs not redrawn');
    }
  };
}
