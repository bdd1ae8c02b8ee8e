import { WebClient } from '@slack/web-api';
import type { Knex } from 'knex';
import { platformScope, narrowTo, type AccountScope } from '../domain/account-scope';
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
  /** the same for many channels at once (a few queries, not one per channel), keyed by `channelKeyOf` */
  accountsOfMany(
    channels: ReadonlyArray<{ channelId: string; teamId: string | null; accountId: string | null }>,
  ): Promise<Map<string, AccountScope>>;
}

/** One channel of one workspace, as a map key (a Slack Connect channel id is seen by several). */
export const channelKeyOf = (c: { teamId: string | null; channelId: string }): string =>
  `${c.teamId ?? ''}/${c.channelId}`;

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
    accountsOfMany: async (cs) => {
      const scopes = await manyChannelsAccounts(
        db,
        auth.mode,
        cs.map((c) => ({ ...c, teamId: c.teamId ?? auth.defaultTeam })),
      );
      return new Map(cs.map((c, i) => [channelKeyOf(c), scopes[i]!]));
    },
  };
}

/** One notifier for every channel and every account visible (tests, benchmarks, one workspace). */
export function oneWorkspace(notifier: Notifier | null): WorkspaceDirectory {
  return {
    notifierFor: async () => notifier,
    accountsOf: async (c) => narrowTo(platformScope('single-workspace mode'), c.accountId),
    accountsOfMany: async (cs) =>
      new Map(cs.map((c) => [channelKeyOf(c), narrowTo(platformScope('single-workspace mode'), c.accountId)])),
  };
}
