import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpMessage, wordErrorsMessage } from '../blocks/help.blocks';
import { buildStatsView } from '../stats-view.service';
import type { SlackDeps } from '../slack-deps';
import { sendStats } from '../send-stats';

/** `/campaign-stats [words]`: acknowledged at once, answered through the response URL. */
export function campaignStatsCommand(deps: SlackDeps) {
  return async ({ command, ack, respond, client, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const text = command.text.trim();
    const reply: RespondFn = respond;
    if (/^help$/i.test(text)) {
      await reply({ response_type: 'ephemeral', ...helpMessage(deps.config.defaultTimezone) });
      return;
    }
    const zone = deps.config.defaultTimezone;
    const result = await buildStatsView(deps.db, text, zone, deps.clock.now());
    if (!result.ok) {
      await reply({ response_type: 'ephemeral', ...wordErrorsMessage(result.errors) });
      return;
    }
    await sendStats(deps, client, logger, reply, result.view, { channel: command.channel_id, mode: 'new' });
  };
}
