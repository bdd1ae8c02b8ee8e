import { App, ExpressReceiver } from '@slack/bolt';
import type { Express } from 'express';
import { shareStatsAction, statsControlAction } from './actions/stats-controls.action';
import { alertAction, restoreAction, threadAckListener } from './actions/alert.actions';
import { ALERT_ACTION } from '../alerts/alert.blocks';
import { RESTORE_ACTION } from '../unsubscribes/unsubscribes.blocks';
import { ACTION } from '../stats/stats.blocks';
import { boltLogger } from './bolt-logger';
import { campaignStatsCommand } from './commands/campaign-stats.command';
import type { SlackDeps } from './slack-deps';

export const SLASH_COMMAND = '/campaign-stats';

/** Maps Slack ids to their handlers. Every handler acks first, then works. */
export function registerListeners(app: App, deps: SlackDeps): void {
  app.command(SLASH_COMMAND, campaignStatsCommand(deps));
  app.action(ACTION.period, statsControlAction(deps, 'period'));
  app.action(ACTION.type, statsControlAction(deps, 'type'));
  app.action(ACTION.carrier, statsControlAction(deps, 'carrier'));
  app.action(ACTION.share, shareStatsAction(deps));
  app.action(ALERT_ACTION.ack, alertAction(deps, 'ack'));
  app.action(ALERT_ACTION.snooze, alertAction(deps, 'snooze'));
  app.action(ALERT_ACTION.resolve, alertAction(deps, 'resolve'));
  app.action(RESTORE_ACTION, restoreAction(deps));
  app.message(/^\s*ack\s*$/i, threadAckListener(deps));
}

export interface SlackRuntime {
  app: App;
  mode: 'http' | 'socket';
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The Bolt app: over HTTP at POST /slack/events on our own server (signature checked by
 * Bolt), or over Socket Mode when SLACK_APP_TOKEN is set. Web API calls go to SLACK_API_URL.
 */
export function createSlack(deps: SlackDeps, expressApp: Express): SlackRuntime | null {
  const { slack } = deps.config;
  if (!slack.botToken) return null;
  const clientOptions = slack.apiUrl
    ? { slackApiUrl: slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/` }
    : {};
  const logger = boltLogger(deps.log);
  if (slack.appToken) {
    const app = new App({ token: slack.botToken, appToken: slack.appToken, socketMode: true, clientOptions, logger });
    registerListeners(app, deps);
    return {
      app,
      mode: 'socket',
      start: async () => void (await app.start()),
      stop: () => app.stop().then(() => undefined),
    };
  }
  const receiver = new ExpressReceiver({
    signingSecret: slack.signingSecret!,
    app: expressApp,
    endpoints: '/slack/events',
    logger,
  });
  const app = new App({ token: slack.botToken, receiver, clientOptions, logger });
  registerListeners(app, deps);
  return { app, mode: 'http', start: async () => undefined, stop: async () => undefined };
}
