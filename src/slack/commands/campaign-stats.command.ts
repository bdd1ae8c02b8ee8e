import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { failureMessage, helpMessage, wordErrorsMessage } from '../blocks/help.blocks';
import { buildStatsView } from '../stats-view.service';
import type { SlackDeps } from '../slack-deps';
import { sendStats } from '../send-stats';
import { parseSettingsCommand } from '../../settings/settings-command';
import { settingsFor, zoneOf } from '../../settings/channels';
import { runSettingsCommand } from './settings.command';

/** `/campaign-stats [words]`: acknowledged at once, answered through the response URL. */
export function campaignStatsCommand(deps: SlackDeps) {
  return async (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await args.ack();
    try {
      await answer(deps, args);
    } catch (err) {
      deps.log.error({ err, text: args.command.text }, '/campaign-stats failed');
      await args.respond({ response_type: 'ephemeral', ...failureMessage() }).catch(() => undefined);
    }
  };
}

/** The answer itself; any failure gets the failure reply above rather than silence. */
async function answer(deps: SlackDeps, { command, respond, client, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
  const text = command.text.trim();
  const reply: RespondFn = respond;
  if (/^help$/i.test(text)) {
    await reply({ response_type: 'ephemeral', ...helpMessage(deps.config.defaultTimezone) });
    return;
  }
  const settings = parseSettingsCommand(text);
  if (settings) {
    await reply(settings.ok ? await runSettingsCommand(deps, client, settings.command, command.channel_id, command.user_id) : { response_type: 'ephemeral', text: settings.message, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${settings.message}` } }] });
    return;
  }
  const zone = zoneOf(await settingsFor(deps.db, deps.config, command.channel_id), deps.config);
  const result = await buildStatsView(deps.db, text, zone, deps.clock.now());
  if (!result.ok) {
    await reply({ response_type: 'ephemeral', ...wordErrorsMessage(result.errors) });
    return;
  }
  await sendStats(deps, client, logger, reply, result.view, { channel: command.channel_id, mode: 'new' });
}
