import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommand } from '../../settings/settings-command';
import { whyMessage, explainAnswer } from '../../stats/stats.blocks';
import { failureMessage, helpMessage, tooSlowMessage, wordErrorsMessage } from '../blocks/help.blocks';
import { isStatementTimeout } from '../../db/dialect';
import { notice, warning } from '../../messages/message';
import { seesNothing } from '../../domain/account-scope';
import { NOT_CONNECTED } from '../../workspaces/linking.blocks';
import { resolveContext } from '../context';
import { sendStats } from '../send-stats';
import { statsView, type SlackDeps } from '../slack-deps';
import { runSettingsCommand } from './settings.command';
import { exportToRequester } from './export.command';
import { BUSY } from '../answer-limit';
import type { RequestContext } from '../../settings/request-context';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

const MAX_TEXT = 1000;
const MAX_WORD = 200;

/** `/campaign-stats [words]`: acknowledged at once, answered through the response URL. */
export function campaignStatsCommand(deps: SlackDeps) {
  return async (args: Args) => {
    await args.ack();
    try {
      await answer(deps, args);
    } catch (err) {
      if (isStatementTimeout(err)) {
        deps.log.warn({ text: args.command.text }, '/campaign-stats stopped by STATEMENT_TIMEOUT');
        const reply = tooSlowMessage(deps.config.statementTimeout);
        await args.respond({ response_type: 'ephemeral', ...reply }).catch(() => undefined);
        return;
      }
      deps.log.error({ err, text: args.command.text }, '/campaign-stats failed');
      await args.respond({ response_type: 'ephemeral', ...failureMessage() }).catch(() => undefined);
    }
  };
}

/** The answer itself; any failure gets the failure reply above rather than silence. */
async function answer(deps: SlackDeps, { command, respond, client, logger }: Args): Promise<void> {
  const text = command.text.trim();
  // bounded before any matching ("did you mean" compares words with every name)
  const tooLong =
    text.length > MAX_TEXT ? `${text.length} characters` : text.split(/\s+/).find((w) => w.length > MAX_WORD);
  if (tooLong) {
    await respond({
      response_type: 'ephemeral',
      ...warning(
        text.length > MAX_TEXT
          ? `That is too long for me (${tooLong}; at most ${MAX_TEXT}). Type \`/campaign-stats help\` for the words I understand.`
          : `"${tooLong.slice(0, 40)}…" is too long to be a word I know (at most ${MAX_WORD} characters).`,
      ),
    });
    return;
  }
  const parsed = parseCommand(text);
  if (parsed.kind === 'help') {
    await respond({ response_type: 'ephemeral', ...helpMessage(deps.config.defaultTimezone) });
    return;
  }
  const ctx = await resolveContext(deps, client, {
    teamId: command.team_id,
    channelId: command.channel_id,
    userId: command.user_id,
  });
  const settings = parsed.kind === 'settings' ? parsed.parse : null;
  // a workspace nobody has linked sees no figures: one line on how to connect (connect works)
  const connecting = settings?.ok && ['connect', 'accounts'].includes(settings.command.type);
  if (seesNothing(ctx.workspaceAccounts) && !connecting) {
    await respond({ response_type: 'ephemeral', ...notice(NOT_CONNECTED) });
    return;
  }
  if (settings) {
    const reply = settings.ok
      ? await runSettingsCommand(deps, client, ctx, settings.command)
      : warning(settings.message);
    await respond({ response_type: 'ephemeral', ...reply });
    return;
  }
  if (parsed.kind === 'export') {
    await respond({ response_type: 'ephemeral', ...(await exportToRequester(deps, client, ctx, parsed.words)) });
    return;
  }
  const answerKind = parsed.kind === 'why' || parsed.kind === 'explain' ? parsed.kind : 'stats';
  const words = parsed.kind === 'why' || parsed.kind === 'explain' || parsed.kind === 'stats' ? parsed.words : text;
  const release = deps.answers ? deps.answers.tryEnter(ctx.teamId) : () => undefined;
  if (!release) {
    await respond({ response_type: 'ephemeral', ...warning(BUSY) });
    return;
  }
  try {
    await statsAnswer(deps, { respond, client, logger }, ctx, words, answerKind);
  } finally {
    release();
  }
}

async function statsAnswer(
  deps: SlackDeps,
  { respond, client, logger }: Pick<Args, 'respond' | 'client' | 'logger'>,
  ctx: RequestContext,
  text: string,
  kind: 'stats' | 'why' | 'explain',
): Promise<void> {
  const result = await statsView(deps, text, ctx.zone, ctx.accounts);
  if (!result.ok) {
    await respond({ response_type: 'ephemeral', ...wordErrorsMessage(result.errors) });
    return;
  }
  if (kind === 'why') {
    await respond({ response_type: 'ephemeral', ...whyMessage(result.view) });
    return;
  }
  if (kind === 'explain') {
    await respond({ response_type: 'ephemeral', ...explainAnswer(result.view) });
    return;
  }
  await sendStats(deps, client, logger, respond, result.view, { mode: 'new' });
}
