import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { DEFAULT_ALERT_PARAMS } from '../domain/alert-rule';
import { stepCount, stepDue, type EscalationPolicy } from '../domain/escalation';
import { effectiveChannels, zoneOf } from '../settings/channels';
import type { ChannelSettings } from '../settings/channel-settings.repository';
import { channelKeyOf, type WorkspaceDirectory } from '../workspaces/workspace-directory';
import { escalationNote, type EscalationRecord } from './alert.blocks';
import {
  claimEscalationStep,
  escalationCandidates,
  getAlert,
  markEscalationPosted,
  type Alert,
} from './alerts.repository';
import { refreshParent } from './alerts.service';

/**
 * A claimed step not marked posted this long after its claim belonged to an instance that died
 * between claiming and posting (or between Slack's reply and the mark): it is claimed again.
 */
export const ESCALATION_CLAIM_STALE_MS = 2 * 60_000;

export interface EscalationDeps {
  db: Knex;
  config: Config;
  workspaces: WorkspaceDirectory;
  log: Logger;
  /** told when an alert changed (Home tabs) */
  changed?: (a: Alert) => Promise<void>;
}

/**
 * One escalation pass (each minute, on every instance): each open, posted, unacknowledged
 * alert in a channel with an escalation policy gets the step now due, once. The step is claimed
 * with a conditional update from the step the pass read, so with any number of instances one
 * posts it; a restart reads the claimed and posted steps back and neither repeats nor skips.
 * Acknowledging, snoozing or resolving takes the alert out of `open`: no further step.
 */
export async function escalateAlerts(deps: EscalationDeps, now: Date): Promise<{ escalated: number; looked: number }> {
  const candidates = await escalationCandidates(deps.db);
  if (candidates.length === 0) return { escalated: 0, looked: 0 };
  const policies = new Map<string, ChannelSettings>();
  for (const ch of await effectiveChannels(deps.db, deps.config))
    if (ch.alertsEnabled && ch.escalation) policies.set(channelKeyOf(ch), ch);
  let escalated = 0;
  for (const a of candidates) {
    const ch = policies.get(channelKeyOf(a));
    if (!ch?.escalation) continue;
    const policy: EscalationPolicy = ch.escalation;
    const due = stepDue(policy, a.postedAt ?? a.openedAt, now);
    const inFlight = a.escalationStep > a.escalationPosted;
    const stale =
      inFlight &&
      a.escalationClaimedAt !== null &&
      now.getTime() - a.escalationClaimedAt.getTime() >= ESCALATION_CLAIM_STALE_MS;
    // a step is due past the last claimed one, or a claim was abandoned by an instance that died
    if (!(due > a.escalationStep && !inFlight) && !stale) continue;
    const step = Math.max(due, a.escalationStep);
    if (!(await claimEscalationStep(deps.db, a, step, now))) continue; // another instance has it
    const notifier = await deps.workspaces.notifierFor(a.teamId);
    if (!notifier) continue;
    const record: EscalationRecord = { to: policy.to, step, of: stepCount(policy) };
    const minutesOpen = Math.round((now.getTime() - (a.postedAt ?? a.openedAt).getTime()) / 60_000);
    try {
      await notifier.post({ channel: a.channelId, threadTs: a.messageTs!, ...escalationNote(a, record, minutesOpen) });
    } catch (err) {
      // the claim stays: after ESCALATION_CLAIM_STALE_MS a pass claims and posts it again
      deps.log.warn({ alert: a.id, step, err: (err as Error).message }, 'escalation note not posted; will retry');
      continue;
    }
    await markEscalationPosted(deps.db, a.id, step, record, now);
    escalated++;
    const windowMinutes = a.kind === 'auto_unsubscribe' ? 0 : DEFAULT_ALERT_PARAMS[a.kind].windowMinutes;
    await refreshParent({ db: deps.db, notifier }, a.id, zoneOf(ch, deps.config), windowMinutes);
    const after = await getAlert(deps.db, a.id);
    if (after) await deps.changed?.(after);
  }
  return { escalated, looked: candidates.length };
}
