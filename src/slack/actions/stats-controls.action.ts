import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  StaticSelectAction,
} from '@slack/bolt';
import { withWord, type ControlKind } from '../../domain/query-words';
import { wordsFromControlsBlock } from '../../stats/stats.blocks';
import { wordErrorsMessage } from '../blocks/help.blocks';
import { actionContext } from '../context';
import { sendStats } from '../send-stats';
import { statsView, type SlackDeps } from '../slack-deps';
import { exportToRequester } from '../commands/export.command';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const NO_FILTER: Record<ControlKind, string | null> = { period: null, type: 'all', carrier: '*' };

/** A select under an answer changed: the same message is redrawn with that filter, the others kept. */
export function statsControlAction(deps: SlackDeps, kind: ControlKind) {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const select = action as StaticSelectAction;
    const words = wordsFromControlsBlock(select.block_id) ?? '';
    const value = select.selected_option.value;
    const next = withWord(words, kind, value === NO_FILTER[kind] ? null : value);
    const result = await statsView(deps, next, ctx.zone, ctx.accounts);
    if (!result.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...wordErrorsMessage(result.errors) });
      return;
    }
    await sendStats(deps, client, logger, respond, result.view, { mode: 'replace' });
  };
}

/** "Share in channel": the same answer, posted for everyone in the channel. */
export function shareStatsAction(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const words = (action as ButtonAction).value ?? '';
    const result = await statsView(deps, words, ctx.zone, ctx.accounts);
    if (!result.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...wordErrorsMessage(result.errors) });
      return;
    }
    await sendStats(deps, client, logger, respond, result.view, { mode: 'share', sharedBy: ctx.userId });
  };
}

/** Export CSV on an answer: the same words' two CSV files, sent to the one who clicked. */
export function exportStatsAction(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const words = (action as ButtonAction).value ?? '';
    const reply = await exportToRequester(deps, client, ctx, words);
    await respond({ response_type: 'ephemeral', replace_original: false, ...reply });
  };
}
