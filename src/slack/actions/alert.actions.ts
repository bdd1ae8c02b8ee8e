import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  StaticSelectAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { actOnAlert, type PostDeps } from '../../alerts/alerts.service';
import type { AccountScope } from '../../domain/account-scope';
import { findAlertByMessage, getAlert } from '../../alerts/alerts.repository';
import { teamKey } from '../../settings/channel-settings.repository';
import { owningTeam } from '../../workspaces/workspace-auth';
import { webClientNotifier } from '../../messages/notifier';
import { maskPhone } from '../../messages/mrkdwn';
import {
  announcementAfterRestore,
  redrawAnnouncements,
  restoreAutoUnsubscribe,
} from '../../unsubscribes/unsubscribes.service';
import { workspaceDirectory } from '../../workspaces/workspace-directory';
import { actionContext, resolveContext } from '../context';
import type { SlackDeps } from '../slack-deps';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** What acting on an alert from Slack needs: the workspace's client, the channel's accounts (for the summary), Home redraws. */
export function alertPostDeps(deps: SlackDeps, client: WebClient, accounts: AccountScope): PostDeps {
  return {
    db: deps.db,
    notifier: webClientNotifier(client),
    summary: { accounts, segmentPrice: deps.config.segmentPrice },
    changed: (a) => deps.homeChanged?.(a) ?? Promise.resolve(),
  };
}

/** Acknowledge / Snooze / Resolve on an alert's parent message. */
export function alertAction(deps: SlackDeps, type: 'ack' | 'resolve' | 'snooze') {
  return async ({ ack, action, body, respond, client }: Args) => {
    await ack();
    const raw =
      type === 'snooze' ? (action as StaticSelectAction).selected_option.value : ((action as ButtonAction).value ?? '');
    // values come back from Slack as we drew them, but a forged or mangled one must get an
    // answer, never reach SQL as NaN
    const m = type === 'snooze' ? /^(\d{1,15}):(\d{1,3})h$/.exec(raw) : /^(\d{1,15})$/.exec(raw);
    if (!m) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: `That button is not one I can act on ("${raw.slice(0, 40)}" is not an alert id).`,
      });
      return;
    }
    const id = Number(m[1]);
    const hours = m[2] ? Number(m[2]) : 0;
    // from the Home tab there is no channel: the alert's own, if it is this workspace's alert
    const fromHome = !body.channel?.id && body.container?.type === 'view';
    const homeAlert = fromHome ? await getAlert(deps.db, id) : null;
    const slackTeam = body.team?.id ?? body.user.team_id ?? '';
    if (fromHome && (!homeAlert || teamKey(homeAlert.teamId) !== teamKey(owningTeam(deps.auth, slackTeam)))) {
      deps.log.warn({ alert: id, team: slackTeam }, 'a Home button named an alert of another workspace: ignored');
      return;
    }
    const ctx = homeAlert
      ? await resolveContext(deps, client, { teamId: slackTeam, channelId: homeAlert.channelId, userId: body.user.id })
      : await actionContext(deps, client, body);
    const result = await actOnAlert(
      alertPostDeps(deps, client, ctx.accounts),
      id,
      type === 'snooze' ? { type, hours } : { type },
      ctx.userId,
      deps.clock.now(),
      ctx.zone,
      { teamId: ctx.settings.teamId, channelId: ctx.channelId },
    );
    if (result.ok) return;
    if (homeAlert) {
      // nothing to answer in place on Home: tell the person directly, and redraw their Home
      await client.chat
        .postEphemeral({ channel: homeAlert.channelId, user: ctx.userId, text: result.message })
        .catch(() => undefined);
      await deps.homeChanged?.(homeAlert);
      return;
    }
    await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
  };
}

/** What a reply in an alert's thread asks for: `ack`, `resolve`, or a short word not understood. */
export function threadReplyIntent(text: string): 'ack' | 'resolve' | 'unknown' | null {
  const t = text.trim().toLowerCase();
  if (/^(ack|acknowledge|acknowledged)$/.test(t)) return 'ack';
  if (/^(resolve|resolved)$/.test(t)) return 'resolve';
  // a few words may be meant for the app; a longer reply is the team talking: left alone
  return t && t.split(/\s+/).length <= 3 ? 'unknown' : null;
}

/** Replying `ack` (or `resolve`) in an alert's thread acts on it; another short word is answered. */
export function threadAckListener(deps: SlackDeps) {
  return async ({ message, body, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    const m = message as {
      thread_ts?: string;
      channel: string;
      user?: string;
      ts: string;
      text?: string;
      bot_id?: string;
    };
    if (!m.thread_ts || !m.user || m.bot_id) return;
    const intent = threadReplyIntent(m.text ?? '');
    if (!intent) return;
    const ctx = await resolveContext(deps, client, {
      teamId: (body as { team_id?: string }).team_id ?? '',
      channelId: m.channel,
      userId: m.user,
    });
    // only the replying workspace's own alert in this channel (a Slack Connect channel has one per workspace)
    const where = { teamId: ctx.settings.teamId, channelId: ctx.channelId };
    const alert = await findAlertByMessage(deps.db, where, m.thread_ts);
    if (!alert) return;
    const tell = (text: string) =>
      client.chat.postEphemeral({ channel: m.channel, user: m.user!, thread_ts: m.thread_ts, text });
    if (intent === 'unknown') {
      await tell(
        'In an alert’s thread I understand `ack` (acknowledge) and `resolve`; Snooze is on the alert’s buttons.',
      );
      return;
    }
    const result = await actOnAlert(
      alertPostDeps(deps, client, ctx.accounts),
      alert.id,
      { type: intent },
      ctx.userId,
      deps.clock.now(),
      ctx.zone,
      where,
    );
    if (!result.ok) await tell(result.message);
  };
}

/**
 * Restore on an auto-unsubscribed number: undoes auto-unsubscribes only, never a STOP. The row
 * is redrawn as restored, the parent's count updated, and every reply goes to the thread.
 */
export function restoreAction(deps: SlackDeps) {
  return async ({ ack, action, body, client }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const value = (action as ButtonAction).value ?? '';
    const id = /^\d{1,15}$/.test(value) ? Number(value) : null;
    const rowTs = body.container?.message_ts as string | undefined;
    const threadTs =
      (body.message as { thread_ts?: string } | undefined)?.thread_ts ??
      (body.container?.thread_ts as string | undefined) ??
      rowTs;
    if (id === null) {
      await client.chat.postEphemeral({
        channel: ctx.channelId,
        user: ctx.userId,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: `That button is not one I can act on ("${value.slice(0, 40)}" is not an auto-unsubscribe id).`,
      });
      return;
    }
    const result = await restoreAutoUnsubscribe(deps.db, id, ctx.userId, deps.clock.now(), ctx.accounts);
    if (!result.ok) {
      await client.chat.postEphemeral({
        channel: ctx.channelId,
        user: ctx.userId,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: result.message,
      });
      return;
    }
    // every channel's copy of the announcement (the platform's and each merchant's) …
    const workspaces = workspaceDirectory(deps.db, deps.auth, deps.config.slack.apiUrl);
    const redrawn = await redrawAnnouncements({ ...deps, workspaces }, id);
    const here = (ts: string | undefined) =>
      ts !== undefined && redrawn.some((r) => r.channelId === ctx.channelId && r.ts === ts);
    // … and the one clicked, if it was posted before copies were recorded
    const redraw = await announcementAfterRestore(deps.db, deps.config, id, ctx.accounts);
    if (redraw?.row && rowTs && !here(rowTs))
      await client.chat.update({ channel: ctx.channelId, ts: rowTs, ...redraw.row });
    if (redraw && threadTs && threadTs !== rowTs && !here(threadTs))
      await client.chat.update({ channel: ctx.channelId, ts: threadTs, ...redraw.parent });
    await client.chat.postMessage({
      channel: ctx.channelId,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      text: `${maskPhone(result.phone)} restored by <@${ctx.userId}>: it will get messages again.`,
    });
  };
}
