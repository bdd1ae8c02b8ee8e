import express from 'express';
import type { Knex } from 'knex';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { createDb } from './db/knex';
import { AnswerPool } from './stats/answer-pool';
import { migrateLatest } from './db/migrate';
import { fillGrains, unfilledGrains } from './db/grain-fill';
import { callbackWriter } from './ingest/group-commit';
import { apiRouter } from './http/ingest.routes';
import { twilioStatusHandler, TWILIO_STATUS_PATH } from './http/twilio-webhook';
import { errorHandler, healthRoutes, listen, requestContext } from './http/server';
import type { Logger } from './logger';
import { createSlack } from './slack';
import type { InstallationStore } from '@slack/bolt';
import { localWorkspaceAuth, seedLocalWorkspaces } from './local/local-mode';
import { knexInstallationStore } from './workspaces/installation.store';
import { tokenCipher } from './workspaces/token-crypto';
import { installedWorkspaceAuth, singleWorkspaceAuth, type WorkspaceAuth } from './workspaces/workspace-auth';
import { workspaceDirectory } from './workspaces/workspace-directory';
import { Scheduler } from './jobs/scheduler';
import { startPusher } from './unsubscribes/webhook-push';
import { homeRedrawer } from './home/home.service';
import { jobTable } from './jobs/jobs';
import { createMetrics, metricsRoute, type Metrics } from './http/metrics';

export interface RunningApp {
  port: number;
  db: Knex;
  scheduler: Scheduler | null;
  stop: () => Promise<void>;
}

/**
 * Which token posts into which workspace, by mode; null when there is no Slack at all (the CLI,
 * or local mode before its embedded workspaces start).
 */
export function createWorkspaceAuth(
  config: Config,
  db: Knex,
  clock: Clock,
): { auth: WorkspaceAuth; installations?: InstallationStore } | null {
  switch (config.slack.mode) {
    case 'single':
      return { auth: singleWorkspaceAuth(config.slack.botToken!) };
    case 'distribution': {
      const installations = knexInstallationStore(db, tokenCipher(config.slack.tokenEncryptionKey!), clock);
      return { auth: installedWorkspaceAuth(installations), installations };
    }
    case 'local':
      return config.slack.signingSecret ? { auth: localWorkspaceAuth() } : null;
  }
}

export function createScheduler(config: Config, db: Knex, clock: Clock, logger: Logger, metrics?: Metrics): Scheduler {
  const slack = createWorkspaceAuth(config, db, clock);
  const workspaces = slack
    ? workspaceDirectory(db, slack.auth, config.slack.apiUrl, (method) => metrics?.slackApiErrors.inc({ method }))
    : null;
  const alertChanged = workspaces ? homeRedrawer(db, config, workspaces, () => clock.now(), logger) : undefined;
  return new Scheduler(
    db,
    jobTable({ db, config, workspaces, log: logger, alertChanged }),
    clock,
    logger,
    (job, outcome) => metrics?.jobRuns.inc({ job, outcome }),
  );
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
    /** the pool callbacks and ingest write through; by default its own pool on MySQL/MariaDB */
    writeDb?: Knex;
    host?: string;
    scheduler?: boolean;
    mount?: (app: express.Express, appUrl: () => string, db: Knex) => void;
  } = {},
): Promise<RunningApp> {
  const clock = opts.clock ?? systemClock;
  // reads (Slack answers, the scheduler) and the write path (callbacks, ingest) draw from
  // separate pools on MySQL/MariaDB, so a burst of heavy answers never delays a receipt; reads
  // are stopped by the server past STATEMENT_TIMEOUT. SQLite has one connection and one writer.
  const db = opts.db ?? createDb(config, { statementTimeout: config.statementTimeout });
  const ownWriteDb = !opts.writeDb && Boolean(config.databaseUrl);
  const writeDb = opts.writeDb ?? (ownWriteDb ? createDb(config, { poolMax: config.writePoolSize }) : db);
  if (!config.databaseUrl) {
    const applied = await migrateLatest(db);
    if (applied.length) logger.info({ applied }, 'migrated the embedded database');
    // one process, no rolling deploy: a grain a migration added is filled at once
    const filled = await fillGrains(db, { graceMs: 0 });
    if (filled.length) logger.info({ filled }, 'filled the count grains a migration added');
  } else {
    const unfilled = await unfilledGrains(db).catch(() => []);
    if (unfilled.length)
      logger.warn(
        { grains: unfilled },
        'count grains not filled yet: run `campaign-stats fill` once every instance runs this release (answers read the raw messages for them meanwhile)',
      );
  }

  const callbacks = callbackWriter(writeDb, clock, logger, Boolean(config.databaseUrl));

  const app = express();
  // behind N proxies (a load balancer), req.ip is the client's address, not the balancer's
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(requestContext(logger));
  healthRoutes(app, db);
  const metrics = createMetrics(db, () => callbacks.depth);
  metricsRoute(app, config.metricsToken, metrics);
  const deps = { config, db, writeDb, clock, callbacks, metrics };
  app.use('/api/v1', apiRouter(deps));
  // Bolt refuses stale Slack requests but not ones dated in the future: a replayed signature
  // must not stay usable for years
  app.use('/slack/events', (req, res, next) => {
    const ts = Number(req.get('x-slack-request-timestamp'));
    // the wall clock, as Bolt's own staleness check uses (not the app's clock, which tests fix)
    if (Number.isFinite(ts) && ts > Date.now() / 1000 + 5 * 60) {
      res.status(401).json({ error: 'x-slack-request-timestamp is more than 5 minutes in the future' });
      return;
    }
    next();
  });
  const workspaceAuth = createWorkspaceAuth(config, db, clock);
  if (config.slack.mode === 'local' && workspaceAuth) await seedLocalWorkspaces(db, clock.now());
  const answerPool = workspaceAuth && config.answerThreads ? AnswerPool.create(config, config.answersAtOnce) : null;
  const slack = workspaceAuth
    ? createSlack({ config, db, clock, log: logger, answerPool, ...workspaceAuth }, app)
    : null;
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
  const scheduler =
    (opts.scheduler ?? config.runScheduler) ? createScheduler(config, db, clock, logger, metrics) : null;
  scheduler?.start();
  // push delivery of the unsubscribe feed runs where the scheduler runs
  const stopPusher =
    scheduler && config.unsubscribeWebhook ? startPusher(db, config.unsubscribeWebhook, clock, logger) : null;
  logger.info(
    {
      port: http.port,
      database: config.databaseUrl ? 'mysql' : config.sqliteFile,
      slack: slack?.mode ?? 'off',
      answerThreads: answerPool?.threads ?? 0,
    },
    'listening',
  );

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await scheduler?.stop();
      await stopPusher?.();
      await slack?.stop();
      await http.close(); // no new requests; in-flight ones finish
      await callbacks.close();
      await answerPool?.close();
      if (ownWriteDb) await writeDb.destroy();
      if (!opts.db) await db.destroy();
      logger.info('stopped');
    })());
  return { port: http.port, db, scheduler, stop };
}
