import type { InstallationStore } from '@slack/bolt';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { WorkspaceAuth } from '../workspaces/workspace-auth';
import type { Gate, PerKeyLimit } from './answer-limit';
import type { AnswerPool } from '../stats/answer-pool';
import type { AccountScope } from '../domain/account-scope';
import type { Alert } from '../alerts/alerts.repository';
import { buildStatsView, type StatsViewResult } from '../stats/stats-view.service';

export interface SlackDeps {
  config: Config;
  db: Knex;
  clock: Clock;
  log: Logger;
  /** which token posts where, and the mode that decides what a workspace may see */
  auth: WorkspaceAuth;
  /** distribution mode: the installations (Bolt's OAuth flow writes them) */
  installations?: InstallationStore;
  /** answers computed at once per workspace */
  answers?: PerKeyLimit;
  /** answers reading the database at once, all workspaces together */
  reads?: Gate;
  /** worker threads computing answers off the event loop (the compiled build), or null */
  answerPool?: AnswerPool | null;
  /** redraws the Home tabs of an alert's workspace after it changed */
  homeChanged?: (a: Alert) => Promise<void>;
}

/** A stats answer: in a worker thread when there is a pool, else here through the shared gate. */
export function statsView(
  deps: SlackDeps,
  text: string,
  zone: string,
  accounts: AccountScope,
): Promise<StatsViewResult> {
  const now = deps.clock.now();
  if (deps.answerPool) return deps.answerPool.buildStatsView(text, zone, now, accounts);
  const compute = () => buildStatsView(deps.db, text, zone, now, accounts);
  return deps.reads ? deps.reads.run(compute) : compute();
}
