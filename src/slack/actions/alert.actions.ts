import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  StaticSelectAction,
} from '@slack/bolt';
import { actOnAlert } from '../../alerts/alerts.service';
import { findAlertByMessage } from '../../alerts/alerts.repository';
import { webClientNotifier } from '../../messages/notifier';
import { maskPhone } from '../../messages/mrkdwn';
import { announcementAfterRestore, restoreAutoUnsubscribe } from '../../unsubscribes/unsubscribes.service';
import { actionContext, resolveContext } from '../context';
import type { SlackDeps } from '../slack-deps';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Acknowledge / Snooze / Resolve on an alert's parent message. */
export function alertAction(deps: SlackDeps, type: 'ack' | 'resolve' | 'snooze') {
  return async ({ ack, action, body, respond, client }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const raw =
      type === 'snooze' ? (action as StaticSelectAction).selected_option.value : ((action as ButtonAction).value ?? '');
    const [idText, duration] = raw.split(':');
    const id = Number(idText);
    const hours = duration ? Number(duration.replace('h', '')) : 0;
    const result = await actOnAlert(
      { db: deps.db, notifier: webClientNotifier(client) },
      id,
      type === 'snooze' ? { type, hours } : { type },
      ctx.userId,
      deps.clock.now(),
      ctx.zone,
      ctx.channelId,
    );
    if (!result.ok) await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
  };
}

/** Replying `ack` in an alert's thread acknowledges it too. */
export function threadAckListener(deps: SlackDeps) {
  return async ({ message, body, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    const m = message as { thread_ts?: string; channel: string; user?: string; ts: string };
    if (!m.thread_ts || !m.user) return;
    const alert = await findAlertByMessage(deps.db, m.channel, m.thread_ts);
    if (!alert) return;
    const ctx = await resolveContext(deps, client, {
      teamId: (body as { team_id?: string }).team_id ?? '',
      channelId: m.channel,
      userId: m.user,
    });
    const result = await actOnAlert(
      { db: deps.db, notifier: webClientNotifier(client) },
      alert.id,
      { type: 'ack' },
      ctx.userId,
      deps.clock.now(),
      ctx.zone,
      ctx.channelId,
    );
    if (!result.ok)
      await client.chat.postEphemeral({
        channel: m.channel,
        user: m.user,
        thread_ts: m.thread_ts,
        text: result.message,
      });
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
    const id = Number((action as ButtonAction).value);
    const rowTs = body.container?.message_ts as string | undefined;
    const threadTs =
      (body.message as { thread_ts?: string } | undefined)?.thread_ts ??
      (body.container?.thread_ts as string | undefined) ??
      rowTs;
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
    const redraw = await announcementAfterRestore(deps.db, deps.config, id, ctx.accounts);
    if (redraw?.row && rowTs) await client.chat.update({ channel: ctx.channelId, ts: rowTs, ...redraw.row });
    if (redraw && threadTs && threadTs !== rowTs)
      await client.chat.update({ channel: ctx.channelId, ts: threadTs, ...redraw.parent });
    await client.chat.postMessage({
      channel: ctx.channelId,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      text: `${maskPhone(result.phone)} restored by <@${ctx.userId}>: it will get messages again.`,
    });
  };
}
