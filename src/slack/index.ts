import { App, ExpressReceiver } from '@slack/bolt';
import type { Express } from 'express';
import {
  backAction,
  drillAction,
  drillReasonAction,
  exportStatsAction,
  shareStatsAction,
  statsControlAction,
} from './actions/stats-controls.action';
import { alertAction, restoreAction, threadAckListener } from './actions/alert.actions';
import { ALERT_ACTION } from '../alerts/alert.blocks';
import { RESTORE_ACTION } from '../unsubscribes/unsubscribes.blocks';
import { ACTION } from '../stats/stats.blocks';
import { boltLogger } from './bolt-logger';
import { Gate, PerKeyLimit } from './answer-limit';
import { slackClientOptions } from '../messages/notifier';
import { campaignStatsCommand } from './commands/campaign-stats.command';
import { uninstalledListener } from './events/uninstalled.event';
import { appHomeOpenedListener, homeStatsAction } from './events/app-home.event';
import { HOME_ACTION } from '../home/home.blocks';
import { homeRedrawer } from '../home/home.service';
import { workspaceDirectory } from '../workspaces/workspace-directory';
import type { SlackDeps } from './slack-deps';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { knexStateStore } from '../workspaces/oauth-state.store';
import { WebClient } from '@slack/web-api';

export const SLASH_COMMAND = '/campaign-stats';

/** Maps Slack ids to their handlers. Every handler acks first, then works. */
export function registerListeners(app: App, slackDeps: SlackDeps): void {
  const deps: SlackDeps = {
    ...slackDeps,
    answers: slackDeps.answers ?? new PerKeyLimit(slackDeps.config.answersPerWorkspace),
    reads: slackDeps.reads ?? new Gate(slackDeps.config.answersAtOnce),
    homeChanged:
      slackDeps.homeChanged ??
      homeRedrawer(
        slackDeps.db,
        slackDeps.config,
        workspaceDirectory(slackDeps.db, slackDeps.auth, slackDeps.config.slack.apiUrl),
        () => slackDeps.clock.now(),
        slackDeps.log,
      ),
  };
  app.command(SLASH_COMMAND, campaignStatsCommand(deps));
  app.action(ACTION.period, statsControlAction(deps, 'period'));
  app.action(ACTION.type, statsControlAction(deps, 'type'));
  app.action(ACTION.carrier, statsControlAction(deps, 'carrier'));
  app.action(ACTION.share, shareStatsAction(deps));
  app.action(ACTION.export, exportStatsAction(deps));
  app.action(ACTION.drillCampaign, drillAction(deps, 'campaign'));
  app.action(ACTION.drillCarrier, drillAction(deps, 'carrier'));
  app.action(ACTION.drillReason, drillReasonAction(deps, 'select'));
  app.action(new RegExp(`^${ACTION.page}_(prev|next)$`), drillReasonAction(deps, 'page'));
  app.action(ACTION.back, backAction(deps));
  app.action(ALERT_ACTION.ack, alertAction(deps, 'ack'));
  app.action(ALERT_ACTION.snooze, alertAction(deps, 'snooze'));
  app.action(ALERT_ACTION.resolve, alertAction(deps, 'resolve'));
  app.action(RESTORE_ACTION, restoreAction(deps));
  app.message(threadAckListener(deps));
  app.event('app_home_opened', appHomeOpenedListener(deps));
  app.action(HOME_ACTION.stats7d, homeStatsAction(deps));
  app.event('app_uninstalled', uninstalledListener(deps));
  app.event('tokens_revoked', uninstalledListener(deps));
}

export interface SlackRuntime {
  app: App;
  mode: 'http' | 'socket';
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

/** The bot scopes the app asks for (the manifests ask for the same; a test compares them). */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'channels:join',
  'files:write',
  'im:write',
  'users:read',
  'usergroups:read',
  'channels:history',
  'groups:history',
];

/**
 * A denied or failed install ends on a page that says what happened, with a 4xx (Bolt's own
 * answers 500): cancelled in Slack, a link used twice or too old, a code Slack refused.
 */
function installFailed(
  error: { code?: string; message: string },
  _o: unknown,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const denied = /[?&]error=access_denied\b/.test(req.url ?? '');
  const [status, title, what] = denied
    ? [403, 'Installation cancelled', 'The app was not installed: the request was declined in Slack.']
    : error.code === 'slack_oauth_invalid_state' || error.code === 'slack_oauth_missing_state'
      ? [400, 'This install link has expired', 'Install links work once and for ten minutes.']
      : [
          400,
          'Slack did not complete the installation',
          'Slack refused the install code (it may have been used already).',
        ];
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${what}</p><p><a href="/slack/install">Start the installation again</a>.</p>`,
  );
}

/**
 * The Bolt app: over HTTP at POST /slack/events on our own server (signature checked by
 * Bolt), or over Socket Mode when SLACK_APP_TOKEN is set. Web API calls go to SLACK_API_URL.
 * Single workspace: one bot token. Local mode: the embedded workspaces' tokens. Distribution:
 * Bolt's OAuth flow at /slack/install and /slack/oauth_redirect (state verified by cookie),
 * installations in the database, each request authorised with its workspace's own token.
 */
export function createSlack(deps: SlackDeps, expressApp: Express): SlackRuntime | null {
  const { slack } = deps.config;
  const clientOptions = slackClientOptions(slack.apiUrl);
  const logger = boltLogger(deps.log);
  const start = async () => undefined;
  const stop = async () => undefined;
  if (slack.mode === 'distribution') {
    const receiver = new ExpressReceiver({
      signingSecret: slack.signingSecret!,
      app: expressApp,
      endpoints: '/slack/events',
      logger,
      clientId: slack.clientId!,
      clientSecret: slack.clientSecret!,
      stateSecret: slack.stateSecret!,
      scopes: BOT_SCOPES,
      installationStore: deps.installations!,
      installerOptions: {
        clientOptions,
        stateVerification: true,
        stateStore: knexStateStore(deps.db, deps.clock),
        callbackOptions: { failure: installFailed },
      },
    });
    const app = new App({ receiver, clientOptions, logger });
    registerListeners(app, deps);
    return { app, mode: 'http', start, stop };
  }
  if (slack.mode === 'local') {
    if (!slack.signingSecret) return null; // the CLI without a server: no Slack at all
    const receiver = new ExpressReceiver({
      signingSecret: slack.signingSecret,
      app: expressApp,
      endpoints: '/slack/events',
      logger,
    });
    const authorize = async ({ teamId }: { teamId?: string }) => {
      const botToken = await deps.auth.tokenFor(teamId ?? null);
      if (!botToken) throw new Error(`no workspace ${teamId}`);
      return { botToken, botUserId: 'U0BOT', botId: 'B0BOT', teamId };
    };
    const app = new App({ receiver, authorize, clientOptions, logger });
    registerListeners(app, deps);
    return { app, mode: 'http', start, stop };
  }
  if (slack.appToken) {
    const app = new App({
      authorize: singleWorkspaceAuthorize(slack.botToken!, clientOptions),
      appToken: slack.appToken,
      socketMode: true,
      clientOptions,
      logger,
    });
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
  const app = new App({
    authorize: singleWorkspaceAuthorize(slack.botToken!, clientOptions),
    receiver,
    clientOptions,
    logger,
  });
  registerListeners(app, deps);
  return { app, mode: 'http', start, stop };
}

/**
 * Single workspace: Bolt's own `token` option calls auth.test once at construction and keeps
 * the promise — with Slack unreachable at start, a rejection nobody awaits ends the process,
 * and the failure stays cached after Slack is back. Here auth.test runs on the first request,
 * its success is kept, and a failure is retried on the next request.
 */
function singleWorkspaceAuthorize(botToken: string, clientOptions: ReturnType<typeof slackClientOptions>) {
  const client = new WebClient(botToken, clientOptions);
  let known: Promise<{ botUserId: string; botId: string; teamId?: string }> | null = null;
  return async () => {
    known ??= client.auth.test().then(
      (r) => ({ botUserId: r.user_id as string, botId: r.bot_id as string, teamId: r.team_id as string | undefined }),
      (err: unknown) => {
        known = null;
        throw err;
      },
    );
    return { botToken, ...(await known) };
  };
}
