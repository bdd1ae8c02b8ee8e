import { WebClient } from '@slack/web-api';
import type { Knex } from 'knex';
import { ALL_ACCOUNTS, narrowTo, type AccountScope } from '../domain/account-scope';
import { slackClientOptions, webClientNotifier, type Notifier } from '../messages/notifier';
import type { WorkspaceAuth } from './workspace-auth';
import { channelAccounts, manyChannelsAccounts } from './workspaces.service';

/**
 * What the scheduled side (digests, alerts, announcements) needs to know of a channel: the
 * token of its workspace (null once that workspace uninstalled: nothing more is posted there)
 * and the accounts it may see.
 */
export interface WorkspaceDirectory {
  notifierFor(teamId: string | null): Promise<Notifier | null>;
  accountsOf(channel: { teamId: string | null; accountId: string | null }): Promise<AccountScope>;
  /** the same for many channels at once (a few queries, not one per channel) */
  accountsOfMany(
    channels: ReadonlyArray<{ channelId: string; teamId: string | null; accountId: string | null }>,
  ): Promise<Map<string, AccountScope>>;
}

export function workspaceDirectory(
  db: Knex,
  auth: WorkspaceAuth,
  apiUrl: string | undefined,
  onError?: (method: string) => void,
): WorkspaceDirectory {
  const clients = new Map<string, Notifier>();
  return {
    async notifierFor(teamId) {
      const token = await auth.tokenFor(teamId ?? auth.defaultTeam);
      if (!token) return null;
      const n = clients.get(token) ?? webClientNotifier(new WebClient(token, slackClientOptions(apiUrl)), onError);
      clients.set(token, n);
      return n;
    },
    accountsOf: (c) => channelAccounts(db, auth.mode, c.teamId ?? auth.defaultTeam, c.accountId),
    accountsOfMany: (cs) =>
      manyChannelsAccounts(
        db,
        auth.mode,
        cs.map((c) => ({ ...c, teamId: c.teamId ?? auth.defaultTeam })),
      ),
  };
}

/** One notifier for every channel and every account visible (tests, benchmarks, one workspace). */
export function oneWorkspace(notifier: Notifier | null): WorkspaceDirectory {
  return {
    notifierFor: async () => notifier,
    accountsOf: async (c) => narrowTo(ALL_ACCOUNTS, c.accountId),
    accountsOfMany: async (cs) => new Map(cs.map((c) => [c.channelId, narrowTo(ALL_ACCOUNTS, c.accountId)])),
  };
}
