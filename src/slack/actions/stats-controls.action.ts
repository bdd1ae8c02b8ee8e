import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction } from '@slack/bolt';
import { withWord, type ControlKind } from '../../domain/query-words';
import { wordErrorsMessage } from '../blocks/help.blocks';
import { wordsFromControlsBlock } from '../blocks/stats.blocks';
import { sendStats } from '../send-stats';
import type { SlackDeps } from '../slack-deps';
import { buildStatsView } from '../stats-view.service';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const NO_FILTER: Record<ControlKind, string | null> = { period: null, type: 'all', carrier: '*' };

/** A select under an answer changed: the same message is redrawn with that filter, the others kept. */
export function statsControlAction(deps: SlackDeps, kind: ControlKind) {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const select = action as StaticSelectAction;
    const words = wordsFromControlsBlock(select.block_id) ?? '';
    const value = select.selected_option.value;
    const next = withWord(words, kind, value === NO_FILTER[kind] ? null : value);
    const result = await buildStatsView(deps.db, next, deps.config.defaultTimezone, deps.clock.now());
    if (!result.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...wordErrorsMessage(result.errors) });
      return;
    }
    await sendStats(deps, client, logger, respond, result.view, { channel: body.channel?.id ?? '', mode: 'replace' });
  };
}

/** "Share in channel": the same answer, posted for everyone in the channel. */
export function shareStatsAction(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const words = (action as ButtonAction).value ?? '';
    const result = await buildStatsView(deps.db, words, deps.config.defaultTimezone, deps.clock.now());
    if (!result.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...wordErrorsMessage(result.errors) });
      return;
    }
    await sendStats(deps, client, logger, respond, result.view, { channel: body.channel?.id ?? '', mode: 'share', sharedBy: body.user.id });
  };
}
