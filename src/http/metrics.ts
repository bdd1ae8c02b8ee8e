import type { Express, Request, Response } from 'express';
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { bearerAuth } from './auth';

/**
 * Prometheus metrics (`prom-client`), one registry per app (not the library's global one, so
 * several apps in one process — the tests — keep their own figures).
 */
export interface Metrics {
  registry: Registry;
  callbacksReceived: Counter<string>;
  callbacksRefused: Counter<'reason'>;
  ingestRecords: Counter<'route'>;
  callbackCommitSeconds: Histogram<string>;
  jobRuns: Counter<'job' | 'outcome'>;
  slackApiErrors: Counter<'method'>;
}

export function createMetrics(db: Knex, queueDepth: () => number): Metrics {
  const registry = new Registry();
  const m: Metrics = {
    registry,
    callbacksReceived: new Counter({
      name: 'campaign_stats_callbacks_received_total',
      help: 'Provider status callbacks received (before any check)',
      registers: [registry],
    }),
    callbacksRefused: new Counter({
      name: 'campaign_stats_callbacks_refused_total',
      help: 'Status callbacks refused, by reason (signature, invalid, unavailable)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ingestRecords: new Counter({
      name: 'campaign_stats_ingest_records_total',
      help: 'Records committed through the ingest API, by route',
      labelNames: ['route'],
      registers: [registry],
    }),
    callbackCommitSeconds: new Histogram({
      name: 'campaign_stats_callback_commit_seconds',
      help: 'From a status callback arriving to its transaction committing',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'campaign_stats_job_runs_total',
      help: 'Scheduler runs by job and outcome (done, failed, skipped)',
      labelNames: ['job', 'outcome'],
      registers: [registry],
    }),
    slackApiErrors: new Counter({
      name: 'campaign_stats_slack_api_errors_total',
      help: 'Slack Web API calls that failed, by method',
      labelNames: ['method'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'campaign_stats_callback_queue_depth',
    help: 'Status callbacks waiting for the group committer',
    registers: [registry],
    collect() {
      this.set(queueDepth());
    },
  });
  new Gauge({
    name: 'campaign_stats_open_alerts',
    help: 'Alerts not resolved, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = (await db('alerts')
        .select('kind')
        .count({ n: '*' })
        .whereNot({ state: 'resolved' })
        .groupBy('kind')) as Array<{
        kind: string;
        n: number | string;
      }>;
      for (const r of rows) this.set({ kind: r.kind }, Number(r.n));
    },
  });
  return m;
}

/** GET /metrics: off (404) unless METRICS_TOKEN is set, then bearer-protected — nothing leaks. */
export function metricsRoute(app: Express, token: string | undefined, metrics: Metrics): void {
  if (!token) return;
  app.get('/metrics', bearerAuth(token, 'METRICS_TOKEN'), async (_req: Request, res: Response) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
