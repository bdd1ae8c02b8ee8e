import type { Knex } from 'knex';
import { evaluateAlerts } from '../alerts/alerts.service';
import type { Alert } from '../alerts/alerts.repository';
import { escalateAlerts } from '../alerts/escalation.service';
import { postQuietSummary, quietSummariesDue } from '../alerts/quiet-hours.service';
import type { Config } from '../config';
import { fromDbTime } from '../db/dialect';
import { digestSlotsDue, postDigest } from '../digests/digest.service';
import type { Logger } from '../logger';
import type { ChannelSettings } from '../settings/channel-settings.repository';
import type { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { runAutoUnsubscribe } from '../unsubscribes/unsubscribes.service';
import { postReport, reportSlotsDue } from '../reports/report.service';
import type { ReportKind } from '../domain/report-schedule';
import { lastDoneRun } from './run-ledger.repository';
import { minuteSlot, type JobDefinition } from './scheduler';

export const JOB = {
  digest: 'digest',
  alerts: 'alerts',
  autoUnsubscribe: 'auto-unsubscribe',
  escalations: 'escalations',
  quietSummaries: 'quiet-summaries',
  reports: 'reports',
} as const;

export interface JobDeps {
  db: Knex;
  config: Config;
  /** null: no Slack (nothing to post digests and alerts to) */
  workspaces: WorkspaceDirectory | null;
  log: Logger;
  /** told when a job changed an alert (Home tabs are redrawn) */
  alertChanged?: (a: Alert) => Promise<void>;
}

/** Every scheduled job, in one table: name, schedule, how slots are found, what runs. */
export function jobTable(deps: JobDeps): JobDefinition[] {
  const { db, config, log } = deps;
  return [
    {
      name: JOB.digest,
      cron: '* * * * *', // each minute: which channels have reached their local digest time
      timezone: 'UTC',
      graceMinutes: 6 * 60, // a digest found more than 6 hours late is skipped, not sent stale
      slotsDue: (now) => (deps.workspaces ? digestSlotsDue(db, config, now) : Promise.resolve([])),
      run: (_slot, now, ctx) => {
        const { settings, date } = ctx as { settings: ChannelSettings; date: string };
        return postDigest({ db, config, workspaces: deps.workspaces! }, settings, date, now);
      },
    },
    {
      name: JOB.reports,
      cron: '* * * * *', // each minute: which channels have reached their weekly or monthly report time
      timezone: 'UTC',
      graceMinutes: 6 * 60, // as a digest: found more than 6 hours late, it is skipped, not sent stale
      slotsDue: (now) => (deps.workspaces ? reportSlotsDue(db, config, now) : Promise.resolve([])),
      run: (_slot, now, ctx) => {
        const { settings, kind } = ctx as { settings: ChannelSettings; kind: ReportKind };
        return postReport({ db, config, workspaces: deps.workspaces! }, settings, kind, now);
      },
    },
    {
      name: JOB.alerts,
      cron: config.alertsCron,
      timezone: 'UTC',
      graceMinutes: 2, // an evaluation is about now: a missed one is simply skipped
      slotsDue: async (now) => (deps.workspaces ? [minuteSlot(now)] : []),
      run: (_slot, now) =>
        evaluateAlerts({ db, config, workspaces: deps.workspaces!, log, changed: deps.alertChanged }, now),
    },
    {
      name: JOB.escalations,
      cron: '* * * * *', // each minute: the steps due (each step is also claimed on the alert itself)
      timezone: 'UTC',
      graceMinutes: 2, // a pass is about now: the next one posts whatever step is then due
      slotsDue: async (now) => (deps.workspaces ? [minuteSlot(now)] : []),
      run: (_slot, now) =>
        escalateAlerts({ db, config, workspaces: deps.workspaces!, log, changed: deps.alertChanged }, now),
    },
    {
      name: JOB.quietSummaries,
      cron: '* * * * *', // each minute: channels whose quiet hours ended with alerts held
      timezone: 'UTC',
      graceMinutes: 366 * 24 * 60, // held alerts are posted however late: never dropped as stale
      slotsDue: (now) => (deps.workspaces ? quietSummariesDue(db, config, now) : Promise.resolve([])),
      run: (_slot, now, ctx) =>
        postQuietSummary(
          { db, config, workspaces: deps.workspaces!, log, changed: deps.alertChanged },
          ctx as { teamId: string | null; channelId: string },
          now,
        ),
    },
    {
      name: JOB.autoUnsubscribe,
      cron: config.autoUnsubscribeCron,
      timezone: 'UTC',
      graceMinutes: 10,
      slotsDue: async (now) => [minuteSlot(now)],
      run: async (slot, now) => {
        const last = await lastDoneRun(db, JOB.autoUnsubscribe);
        const detail = last
          ? ((await db('job_runs').first('detail').where({ job: JOB.autoUnsubscribe, slot: last.slot }))?.detail as
              | string
              | null)
          : null;
        const prev = detail ? (JSON.parse(detail) as { at?: string; settledBefore?: string }) : null;
        const since =
          prev?.at && prev.settledBefore
            ? { at: new Date(prev.at), settledBefore: new Date(prev.settledBefore) }
            : last
              ? { at: fromDbTime(last.claimedAt), settledBefore: fromDbTime(last.claimedAt) }
              : null;
        return runAutoUnsubscribe({ db, config, workspaces: deps.workspaces, log }, slot, now, since);
      },
    },
  ];
}
