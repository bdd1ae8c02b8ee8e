import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { homeView } from '../../home/home.blocks';
import { homeData, recordHomeOpened } from '../../home/home.service';
import { statsMessage } from '../../stats/stats.blocks';
import { owningTeam } from '../../workspaces/workspace-auth';
import { workspaceAccounts } from '../../workspaces/workspaces.service';
import { wordErrorsMessage } from '../blocks/help.blocks';
import { statsView, type SlackDeps } from '../slack-deps';

/**
 * `app_home_opened` (the Home tab): publishes the workspace's Home for that user — its
 * accounts, open alerts, channels, at-risk count — within the workspace's own accounts, and
 * remembers the user so an alert change redraws it.
 */
export function appHomeOpenedListener(deps: SlackDeps) {
  return async ({ event, body, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== 'home') return;
    const slackTeam = (body as { team_id?: string }).team_id ?? '';
    const teamId = owningTeam(deps.auth, slackTeam);
    const accounts = await workspaceAccounts(deps.db, deps.auth.mode, slackTeam || deps.auth.defaultTeam);
    const now = deps.clock.now();
    await recordHomeOpened(deps.db, teamId, event.user, now);
    await client.views.publish({
      user_id: event.user,
      view: homeView(await homeData(deps.db, deps.config, teamId, accounts), now),
    });
  };
}

/** Home's "Last 7 days" button: the 7-day answer over the workspace's accounts, in a DM to whoever clicked. */
export function homeStatsAction(deps: SlackDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const slackTeam = body.team?.id ?? body.user.team_id ?? '';
    const accounts = await workspaceAccounts(deps.db, deps.auth.mode, slackTeam || deps.auth.defaultTeam);
    const zone = deps.config.defaultTimezone;
    const result = await statsView(deps, '7d', zone, accounts);
    const dm = await client.conversations.open({ users: body.user.id });
    const channel = (dm.channel as { id?: string } | undefined)?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    const msg = result.ok ? statsMessage(result.view, null) : wordErrorsMessage(result.errors);
    await client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks, unfurl_links: false });
  };
}
