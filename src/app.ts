import express from 'express';
import type { Knex } from 'knex';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { createDb } from './db/knex';
import { migrateLatest } from './db/migrate';
import { GroupCommitter } from './ingest/group-commit';
import { applyCallbacks, type CallbackInput, type CallbackSummary } from './ingest/ingest.service';
import { apiRouter } from './http/ingest.routes';
import { twilioStatusHandler, TWILIO_STATUS_PATH } from './http/twilio-webhook';
import { errorHandler, healthRoutes, listen, requestContext } from './http/server';
import type { Logger } from './logger';
import { createSlack } from './slack';
import { WebClient } from '@slack/web-api';
import { webClientNotifier, type Notifier } from './messages/notifier';
import { Scheduler } from './jobs/scheduler';
import { jobTable } from './jobs/jobs';

export interface RunningApp {
  port: number;
  db: Knex;
  scheduler: Scheduler | null;
  stop: () => Promise<void>;
}

/** Slack's Web API client for the scheduled side (digests, alerts), or null without a token. */
export function createNotifier(config: Config): Notifier | null {
  if (!config.slack.botToken) return null;
  const slackApiUrl = config.slack.apiUrl
    ? config.slack.apiUrl.endsWith('/')
      ? config.slack.apiUrl
      : `${config.slack.apiUrl}/`
    : undefined;
  return webClientNotifier(new WebClient(config.slack.botToken, slackApiUrl ? { slackApiUrl } : {}));
}

export function createScheduler(config: Config, db: Knex, clock: Clock, logger: Logger): Scheduler {
  return new Scheduler(db, jobTable({ db, config, notifier: createNotifier(config), log: logger }), clock, logger);
}

/**
 * The composition root: opens the database, builds services, mounts routes, starts.
 * With no DATABASE_URL the embedded database is migrated on start.
 */
export async function startApp(
  config: Config,
  logger: Logger,
  opts: {
    clock?: Clock;
    db?: Knex;
    host?: string;
    scheduler?: boolean;
    mount?: (app: express.Express, appUrl: () => string, db: Knex) => void;
  } = {},
): Promise<RunningApp> {
  const clock = opts.clock ?? systemClock;
  const db = opts.db ?? createDb(config);
  if (!config.databaseUrl) {
    const applied = await migrateLatest(db);
    if (applied.length) logger.info({ applied }, 'migrated the embedded database');
  }

  const callbacks = new GroupCommitter<CallbackInput, CallbackSummary>(
    async (items) => {
      const started = process.hrtime.bigint();
      const summary = await applyCallbacks(db, items, clock.now());
      logger.debug({ batch: items.length, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'callbacks committed');
      return items.map(() => summary);
    },
    { concurrency: config.databaseUrl ? 2 : 1 },
  ); // overlapping commit flushes on MySQL (bench/)

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestContext(logger));
  healthRoutes(app, db);
  const deps = { config, db, clock, callbacks };
  app.use('/api/v1', apiRouter(deps));
  const slack = createSlack({ config, db, clock, log: logger }, app);
  let appUrl = '';
  opts.mount?.(app, () => appUrl, db);
  app.use((_req, res) => {
    res.status(404).json({ error: 'no such route' });
  });
  app.use(errorHandler(logger));

  const http = await listen(
    app,
    config.port,
    opts.host,
    new Map([[TWILIO_STATUS_PATH, twilioStatusHandler(deps, logger)]]),
  );
  appUrl = `http://127.0.0.1:${http.port}`;
  await slack?.start();
  const scheduler = (opts.scheduler ?? config.runScheduler) ? createScheduler(config, db, clock, logger) : null;
  scheduler?.start();
  logger.info(
    { port: http.port, database: config.databaseUrl ? 'mysql' : config.sqliteFile, slack: slack?.mode ?? 'off' },
    'listening',
  );

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await scheduler?.stop();
      await slack?.stop();
      await http.close(); // no new requests; in-flight ones finish
      await callbacks.close();
      if (!opts.db) await db.destroy();
      logger.info('stopped');
    })());
  return { port: http.port, db, scheduler, stop };
}
