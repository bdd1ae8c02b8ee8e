import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger as BoltLogger } from '@slack/bolt';
import { statsMessage } from '../stats/stats.blocks';
import { chartFor } from '../charts/chart.service';
import { webClientNotifier } from '../messages/notifier';
import type { SlackDeps } from './slack-deps';
import type { StatsView } from '../stats/stats-view.service';

/**
 * Sends a stats answer through a response URL, with its chart; if Slack refuses the message
 * because of the image, the same answer is sent again without it (the alt text already
 * states the numbers in words).
 */
export async function sendStats(
  deps: SlackDeps,
  client: WebClient,
  logger: BoltLogger,
  respond: RespondFn,
  view: StatsView,
  how: { mode: 'new' | 'replace' | 'share'; sharedBy?: string; back?: readonly string[] },
): Promise<void> {
  const chart = await chartFor(view.stats, deps.config, webClientNotifier(client).uploadPng).catch((err: unknown) => {
    logger.warn(`chart not rendered: ${(err as Error).message}`);
    return null;
  });
  const options =
    how.mode === 'share'
      ? { shared: { by: how.sharedBy ?? '' } }
      : { version: Math.floor(deps.clock.now().getTime() / 1000) % 1_000_000, back: how.back ?? [] };
  const routing =
    how.mode === 'share'
      ? { response_type: 'in_channel' as const, replace_original: false }
      : how.mode === 'replace'
        ? { replace_original: true }
        : { response_type: 'ephemeral' as const };
  try {
    await respond({ ...routing, ...statsMessage(view, chart, options) });
  } catch (err) {
    if (!chart) throw err;
    deps.log.warn(
      { err: (err as Error).message },
      'Slack refused the answer with its chart: sending it without the image',
    );
    await respond({ ...routing, ...statsMessage(view, null, options) });
  }
}
