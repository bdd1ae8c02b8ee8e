import type { WebClient } from '@slack/web-api';
import type { BlockAction } from '@slack/bolt';
import type { RequestContext } from '../settings/request-context';
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
  };
}

/** The context of a button or select: the team, channel and user of the click. */
export function actionContext(deps: SlackDeps, client: WebClient, body: BlockAction): Promise<RequestContext> {
  return resolveContext(deps, client, {
    teamId: body.team?.id ?? body.user.team_id ?? '',
    channelId: body.channel?.id ?? body.container?.channel_id ?? '',
    userId: body.user.id,
  });
}
