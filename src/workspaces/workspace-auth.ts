import type { InstallationStore } from '@slack/bolt';
import type { SlackMode } from './workspaces.service';

/**
 * Which bot token posts into which workspace — every Web API call (answers, digests, alerts,
 * thread notes, uploads, announcements) uses the token of the workspace it goes to.
 */
export interface WorkspaceAuth {
  readonly mode: SlackMode;
  /** the workspace of channels set up by environment (DIGEST_CHANNEL, ALERT_CHANNEL) */
  readonly defaultTeam: string | null;
  /** the bot token of `teamId` (null: the default workspace), or null when it has none (uninstalled) */
  tokenFor(teamId: string | null): Promise<string | null>;
}

/**
 * The workspace that owns what a request sets up or acts on (channel settings, alerts): null
 * for the default one (single-workspace mode; local mode's platform workspace, to which the
 * env-configured channels belong), else the request's own team. Never another team's.
 */
export function owningTeam(auth: Pick<WorkspaceAuth, 'mode' | 'defaultTeam'>, teamId: string): string | null {
  return auth.mode === 'single' || !teamId || teamId === auth.defaultTeam ? null : teamId;
}

/** Single-workspace mode: one token for everything. */
export function singleWorkspaceAuth(botToken: string): WorkspaceAuth {
  return { mode: 'single', defaultTeam: null, tokenFor: async () => botToken };
}

/** Local mode: the embedded workspaces' fixed tokens. */
export function fixedWorkspaceAuth(tokens: Readonly<Record<string, string>>, defaultTeam: string): WorkspaceAuth {
  return { mode: 'local', defaultTeam, tokenFor: async (teamId) => tokens[teamId ?? defaultTeam] ?? null };
}

/** Distribution: the token each workspace got when it installed the app (null once uninstalled). */
export function installedWorkspaceAuth(store: InstallationStore): WorkspaceAuth {
  return {
    mode: 'distribution',
    defaultTeam: null,
    async tokenFor(teamId) {
      if (!teamId) return null;
      try {
        return (
          (await store.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token ??
          null
        );
      } catch {
        return null;
      }
    },
  };
}
