import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../slack-deps';

/**
 * `app_uninstalled` / `tokens_revoked` (its bot token): the workspace's tokens are deleted, so
 * every scheduled post to it stops; its linked accounts and channel settings are kept, so a
 * reinstall brings them back.
 */
export function uninstalledListener(deps: SlackDeps) {
  return async ({
    event,
    body,
  }: SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'> & AllMiddlewareArgs) => {
    if (event.type === 'tokens_revoked' && !(event.tokens.bot?.length ?? 0)) return; // only user tokens went
    const teamId = (body as { team_id?: string }).team_id;
    if (!teamId || !deps.installations?.deleteInstallation) return;
    await deps.installations.deleteInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });
    deps.log.info({ team: teamId, event: event.type }, 'workspace uninstalled: its tokens are deleted');
  };
}
