import type { WebClient } from '@slack/web-api';
import { alertsStatus, closeAlertsOutsideScope } from '../../alerts/alerts.service';
import { alertsStatusMessage } from '../../alerts/alert.blocks';
import { digestMessages } from '../../digests/digest.blocks';
import { settingsMessage } from '../../settings/settings.blocks';
import { atRiskMessage, unsubscribedMessage } from '../../unsubscribes/unsubscribes.blocks';
import { accountsMessage, connectMessage, disconnectMessage } from '../../workspaces/linking.blocks';
import { webClientNotifier } from '../../messages/notifier';
import { workspaceAccounts } from '../../workspaces/workspaces.service';
import { previewDigest } from '../../digests/digest.service';
import type { SlackMessage } from '../../messages/message';
import type { RequestContext } from '../../settings/request-context';
import type { SettingsCommand } from '../../settings/settings-command';
import { changeSettings } from '../../settings/settings.service';
import { atRiskList, unsubscribedList } from '../../unsubscribes/unsubscribes.service';
import type { SlackDeps } from '../slack-deps';
import { connectWithCode, disconnectByName, listWorkspaceAccounts } from '../../workspaces/linking.service';

/** Routes a settings word to the feature that owns it; the edge only joins channels. */
export async function runSettingsCommand(
  deps: SlackDeps,
  client: WebClient,
  ctx: RequestContext,
  c: SettingsCommand,
): Promise<SlackMessage> {
  const now = deps.clock.now();
  switch (c.type) {
    case 'digest-preview':
      return digestMessages(await previewDigest(deps.db, deps.config, ctx.settings, c.date, now, ctx.accounts), null)
        .parent;
    case 'alerts-status':
      return alertsStatusMessage(await alertsStatus(deps.db, ctx.settings, ctx.zone, ctx.workspaceAccounts));
    case 'at-risk':
      return atRiskMessage(await atRiskList(deps.db, deps.config, ctx.accounts));
    case 'unsubscribed':
      return unsubscribedMessage(await unsubscribedList(deps.db, ctx.accounts, c.period, ctx.zone, now));
    case 'connect':
      return connectMessage(await connectWithCode(deps.db, ctx, c.code, now));
    case 'accounts':
      return accountsMessage(await listWorkspaceAccounts(deps.db, ctx.teamId, ctx.workspaceAccounts));
    case 'disconnect': {
      const outcome = await disconnectByName(deps.db, ctx, c.account);
      if (outcome.type === 'disconnected')
        await closeAlertsOutsideScope(
          { db: deps.db, notifier: webClientNotifier(client) },
          ctx.settings.teamId,
          await workspaceAccounts(deps.db, deps.auth.mode, ctx.teamId),
          now,
        );
      return disconnectMessage(outcome);
    }
    default: {
      const outcome = await changeSettings(deps, ctx, c, now);
      const message = settingsMessage(outcome);
      if (outcome.type === 'saved' && c.type === 'alerts-on') await joinForThreadReplies(deps, client, ctx, message);
      return message;
    }
  }
}

/**
 * Slack sends `message` events (replying `ack` in an alert's thread) only from channels the
 * bot is a member of: turning alerts on joins a public channel; a private one must invite it.
 */
async function joinForThreadReplies(
  deps: SlackDeps,
  client: WebClient,
  ctx: RequestContext,
  message: SlackMessage,
): Promise<void> {
  try {
    await client.conversations.join({ channel: ctx.channelId });
  } catch (err) {
    deps.log.info({ channel: ctx.channelId, err: (err as Error).message }, 'could not join the alert channel');
    const hint =
      ' To acknowledge by replying `ack` in an alert’s thread, invite the app here (`/invite @campaign-stats`); the buttons work either way.';
    message.text += hint;
    const first = message.blocks[0];
    if (first?.type === 'section' && first.text) first.text.text += hint;
  }
}
