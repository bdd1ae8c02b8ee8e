import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  StaticSelectAction,
} from '@slack/bolt';
import { withWord, type ControlKind } from '../../domain/query-words';
import { decodeStack, stackFromDrillBlock, wordsFromControlsBlock } from '../../stats/stats.blocks';
import { reasonNumbersMessage, type PageValue } from '../../stats/drill.blocks';
import { reasonNumbers } from '../../stats/drill.service';
import { resolveQuery } from '../../stats/stats-view.service';
import { REASON_CODES, type ReasonCode } from '../../domain/reasons';
import type { RespondFn } from '@slack/bolt';
import type { RequestContext } from '../../settings/request-context';
import { wordErrorsMessage } from '../blocks/help.blocks';
import { actionContext } from '../context';
import { sendStats } from '../send-stats';
import { statsView, type SlackDeps } from '../slack-deps';
import { exportToRequester } from '../commands/export.command';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** The answer to `words` sent as asked (redrawn in place, or shared), or what was not understood, privately. */
async function answer(
  deps: SlackDeps,
  client: Args['client'],
  logger: Args['logger'],
  respond: RespondFn,
  ctx: RequestContext,
  words: string,
  how: Parameters<typeof sendStats>[5],
): Promise<void> {
  const result = await statsView(deps, words, ctx.zone, ctx.accounts);
  if (!result.ok) {
    await respond({ response_type: 'ephemeral', replace_original: false, ...wordErrorsMessage(result.errors) });
    return;
  }
  await sendStats(deps, client, logger, respond, result.view, how);
}

const NO_FILTER: Record<ControlKind, string | null> = { period: null, type: 'all', carrier: '*', campaign: null };

/** A select under an answer changed: the same message is redrawn with that filter, the others kept. */
export function statsControlAction(deps: SlackDeps, kind: ControlKind) {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const select = action as StaticSelectAction;
    const words = wordsFromControlsBlock(select.block_id) ?? '';
    const value = select.selected_option.value;
    const next = withWord(words, kind, value === NO_FILTER[kind] ? null : value);
    await answer(deps, client, logger, respond, ctx, next, { mode: 'replace' });
  };
}

/** "Share in channel": the same answer, posted for everyone in the channel. */
export function shareStatsAction(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const words = (action as ButtonAction).value ?? '';
    await answer(deps, client, logger, respond, ctx, words, { mode: 'share', sharedBy: ctx.userId });
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

async function notActionable(respond: RespondFn, raw: string): Promise<void> {
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    text: `That button is not one I can act on ("${raw.slice(0, 40)}" is not what I drew).`,
  });
}

/** Campaign ▸ or Carrier ▸ under an answer: the same message narrowed to it, with Back to the answer. */
export function drillAction(deps: SlackDeps, kind: 'campaign' | 'carrier') {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const select = action as StaticSelectAction;
    const stack = stackFromDrillBlock(select.block_id);
    if (!stack?.length) return notActionable(respond, select.block_id);
    const next = withWord(stack.at(-1)!, kind, select.selected_option.value);
    await answer(deps, client, logger, respond, ctx, next, { mode: 'replace', back: stack });
  };
}

/** Numbers by reason ▸ (and its pages): the numbers that failed for it, in place of the answer. */
export function drillReasonAction(deps: SlackDeps, how: 'select' | 'page') {
  return async ({ ack, action, body, respond, client }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const blockId = (action as { block_id: string }).block_id;
    const stack = stackFromDrillBlock(blockId);
    let words: string;
    let reason: string;
    let page = 1;
    if (how === 'select') {
      if (!stack?.length) return notActionable(respond, blockId);
      words = stack.at(-1)!;
      reason = (action as StaticSelectAction).selected_option.value;
    } else {
      const raw = (action as ButtonAction).value ?? '';
      let v: Partial<PageValue> = {};
      try {
        v = JSON.parse(raw) as Partial<PageValue>;
      } catch {
        return notActionable(respond, raw);
      }
      if (typeof v.w !== 'string' || typeof v.r !== 'string' || !Number.isInteger(v.p))
        return notActionable(respond, raw);
      words = v.w;
      reason = v.r;
      page = v.p!;
    }
    if (!(REASON_CODES as readonly string[]).includes(reason)) return notActionable(respond, reason);
    const now = deps.clock.now();
    const resolved = await resolveQuery(deps.db, words, ctx.zone, now, ctx.accounts);
    if (!resolved.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...wordErrorsMessage(resolved.errors) });
      return;
    }
    const run = () => reasonNumbers(deps.db, resolved.query, reason as ReasonCode, page);
    const numbers = deps.reads ? await deps.reads.run(run) : await run();
    // Back returns to the answer the reason was picked from: the stack as the answer drew it
    const back = how === 'select' ? stack! : (stack ?? [words]);
    await respond({ replace_original: true, ...reasonNumbersMessage(numbers, words, ctx.zone, back) });
  };
}

/** ◂ Back: the answer before this one, redrawn in place (with its own way back). */
export function backAction(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client, logger }: Args) => {
    await ack();
    const ctx = await actionContext(deps, client, body);
    const raw = (action as ButtonAction).value ?? '';
    const stack = decodeStack(raw);
    const target = stack.pop();
    if (target === undefined) return notActionable(respond, raw);
    await answer(deps, client, logger, respond, ctx, target, { mode: 'replace', back: stack });
  };
}
