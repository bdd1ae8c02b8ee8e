import type { WebClient } from '@slack/web-api';
import type { BlockAction } from '@slack/bolt';
import type { RequestContext } from '../settings/request-context';
import type { Mention } from '../domain/escalation';
import { narrowTo } from '../domain/account-scope';
import { settingsFor, zoneOf } from '../settings/channels';
import { workspaceAccounts } from '../workspaces/workspaces.service';
import { owningTeam } from '../workspaces/workspace-auth';
import type { SlackDeps } from './slack-deps';

/** The one place a listener learns its context: workspace, channel, zone, scope, user, admin. */
export async function resolveContext(
  deps: SlackDeps,
  client: WebClient,
  ids: { teamId: string; channelId: string; userId: string },
): Promise<RequestContext> {
  // the requesting workspace's own record for this channel (a Slack Connect channel has one per workspace)
  const settings = await settingsFor(deps.db, deps.config, owningTeam(deps.auth, ids.teamId), ids.channelId);
  const workspace = await workspaceAccounts(deps.db, deps.auth.mode, ids.teamId || deps.auth.defaultTeam);
  let admin: Promise<boolean> | null = null;
  return {
    ...ids,
    settings,
    zone: zoneOf(settings, deps.config),
    workspaceAccounts: workspace,
    accounts: narrowTo(workspace, settings.accountId),
    isAdmin: () =>
      (admin ??=
        deps.config.settingsEditors === 'everyone'
          ? Promise.resolve(true)
          : client.users
              .info({ user: ids.userId })
              .then((info) => Boolean(info.user?.is_admin || info.user?.is_owner))),
    resolveMention: (handle) => resolveMention(client, handle),
  };
}

/**
 * `@handle` → a mention Slack notifies: a user group first (`usergroups.list`, scope
 * usergroups:read), then a person by name (`users.list`, paged). Slack does not notify a bare
 * `@handle` in a bot's message, so it must be stored as `<!subteam^ID>` or `<@ID>`.
 */
export async function resolveMention(client: WebClient, handle: string): Promise<Mention | null> {
  const h = handle.toLowerCase();
  const groups = await client.usergroups.list({});
  const g = groups.usergroups?.find((x) => x.handle?.toLowerCase() === h);
  if (g?.id) return { type: 'group', id: g.id, handle: g.handle ?? h };
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const r = await client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    const u = r.members?.find(
      (m) => !m.deleted && (m.name?.toLowerCase() === h || m.profile?.display_name?.toLowerCase() === h),
    );
    if (u?.id) return { type: 'user', id: u.id, handle: u.name ?? h };
    cursor = r.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return null;
}

/** The context of a button or select: the team, channel and user of the click. */
export function actionContext(deps: SlackDeps, client: WebClient, body: BlockAction): Promise<RequestContext> {
  return resolveContext(deps, client, {
    teamId: body.team?.id ?? body.user.team_id ?? '',
    channelId: body.channel?.id ?? body.container?.channel_id ?? '',
    userId: body.user.id,
  });
}
