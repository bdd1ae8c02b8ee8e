import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs, StaticSelectAction } from '@slack/bolt';
import { actOnAlert } from '../../alerts/alerts.service';
import { findAlertByMessage } from '../../alerts/alerts.repository';
import { settingsFor, zoneOf } from '../../settings/channels';
import { maskPhone } from '../blocks/mrkdwn';
import { restoreAutoUnsubscribe } from '../../unsubscribes/unsubscribes.service';
import { webClientNotifier } from '../notifier';
import type { SlackDeps } from '../slack-deps';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Acknowledge / Snooze / Resolve on an alert's parent message. */
export function alertAction(deps: SlackDeps, type: 'ack' | 'resolve' | 'snooze') {
  return async ({ ack, action, body, respond, client }: Args) => {
    await ack();
    const raw = type === 'snooze' ? (action as StaticSelectAction).selected_option.value : ((action as ButtonAction).value ?? '');
    const [idText, duration] = raw.split(':');
    const id = Number(idText);
    const channel = body.channel?.id ?? '';
    const zone = zoneOf(await settingsFor(deps.db, deps.config, channel), deps.config);
    const hours = duration ? Number(duration.replace('h', '')) : 0;
    const result = await actOnAlert(
      { db: deps.db, config: deps.config, notifier: webClientNotifier(client) },
      id,
      type === 'snooze' ? { type, hours } : { type },
      body.user.id,
      deps.clock.now(),
      zone,
    );
    if (!result.ok) await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
  };
}

/** Replying `ack` in an alert's thread acknowledges it too. */
export function threadAckListener(deps: SlackDeps) {
  return async ({ message, client }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    const m = message as { thread_ts?: string; channel: string; user?: string; ts: string };
    if (!m.thread_ts || !m.user) return;
    const alert = await findAlertByMessage(deps.db, m.channel, m.thread_ts);
    if (!alert) return;
    const zone = zoneOf(await settingsFor(deps.db, deps.config, m.channel), deps.config);
    const result = await actOnAlert({ db: deps.db, config: deps.config, notifier: webClientNotifier(client) }, alert.id, { type: 'ack' }, m.user, deps.clock.now(), zone);
    if (!result.ok) await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: result.message });
  };
}

/** Restore on an auto-unsubscribed number: undoes auto-unsubscribes only, never a STOP. */
export function restoreAction(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client }: Args) => {
    await ack();
    const id = Number((action as ButtonAction).value);
    const result = await restoreAutoUnsubscribe(deps.db, id, body.user.id, deps.clock.now());
    if (!result.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
      return;
    }
    const threadTs = (body.message as { thread_ts?: string; ts?: string } | undefined)?.thread_ts ?? body.container?.thread_ts ?? body.container?.message_ts;
    await client.chat.postMessage({ channel: body.channel!.id, thread_ts: threadTs, text: `${maskPhone(result.phone)} restored by <@${body.user.id}>: it will get messages again.` });
  };
}
