import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { DEFAULT_ALERT_PARAMS } from '../domain/alert-rule';
import { isQuiet, isSevere, stepCount, stepDue } from '../domain/escalation';
import type { Notifier } from '../messages/notifier';
import { effectiveChannels, zoneOf } from '../settings/channels';
import type { ChannelSettings } from '../settings/channel-settings.repository';
import { channelKeyOf, type WorkspaceDirectory } from '../workspaces/workspace-directory';
import { escalationNote, type EscalationRecord } from './alert.blocks';
import {
  alertsByIds,
  claimEscalationSteps,
  escalationCandidates,
  markEscalationsPosted,
  type Alert,
} from './alerts.repository';
import { oncePerWorkspace, refreshParents } from './alerts.service';

/**
 * A claimed step not marked posted this long after its claim belonged to an instance that died
 * between claiming and posting (or between Slack's reply and the mark): it is claimed again.
 */
export const ESCALATION_CLAIM_STALE_MS = 2 * 60_000;
/** Notes posted at once in a pass (each in its own channel; within the database pool). */
export const ESCALATIONS_AT_ONCE = 8;
/** Claims (and marks) per statement: one commit for many alerts, locks held briefly. */
export const CLAIMS_PER_STATEMENT = 200;

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
  // 1. which alert needs which step (pure, from the rows read once)
  const wanted: Array<{ a: Alert; ch: ChannelSettings; step: number }> = [];
  for (const a of candidates) {
    const ch = policies.get(channelKeyOf(a));
    if (!ch?.escalation) continue;
    // quiet hours hold the steps of all but a severe alert: the step then due is posted when they end
    if (
      ch.quiet &&
      isQuiet({ ...ch.quiet, zone: ch.quiet.zone ?? zoneOf(ch, deps.config) }, now) &&
      !isSevere({ kind: a.kind, rate: a.peakRate, threshold: a.threshold, volume: a.peakVolume })
    )
      continue;
    const due = stepDue(ch.escalation, a.postedAt ?? a.openedAt, now);
    const inFlight = a.escalationStep > a.escalationPosted;
    const stale =
      inFlight &&
      a.escalationClaimedAt !== null &&
      now.getTime() - a.escalationClaimedAt.getTime() >= ESCALATION_CLAIM_STALE_MS;
    // a step is due past the last claimed one, or a claim was abandoned by an instance that died
    if ((due > a.escalationStep && !inFlight) || stale) wanted.push({ a, ch, step: Math.max(due, a.escalationStep) });
  }
  if (wanted.length === 0) return { escalated: 0, looked: candidates.length };
  // 2. claims: one conditional statement per batch, tagged with this pass's token (a concurrent
  // pass matches none of the rows this one changed; one commit per batch, not per alert)
  const token = crypto.randomBytes(8).toString('hex');
  const claimed: typeof wanted = [];
  for (let i = 0; i < wanted.length; i += CLAIMS_PER_STATEMENT) {
    const batch = wanted.slice(i, i + CLAIMS_PER_STATEMENT);
    const won = await claimEscalationSteps(deps.db, batch, token, now);
    claimed.push(...batch.filter((w) => won.has(w.a.id)));
  }
  // 3. the notes, a few at once (each in its own channel: Slack limits per channel)
  const posted: Array<(typeof wanted)[number] & { record: EscalationRecord; notifier: Notifier }> = [];
  const queue = [...claimed];
  await Promise.all(
    Array.from({ length: Math.min(ESCALATIONS_AT_ONCE, queue.length) }, async () => {
      for (let w = queue.shift(); w; w = queue.shift()) {
        const { a, ch, step } = w;
        const notifier = await deps.workspaces.notifierFor(a.teamId);
        if (!notifier) continue; // uninstalled: nothing more is posted there
        const record: EscalationRecord = { to: ch.escalation!.to, step, of: stepCount(ch.escalation!) };
        const minutesOpen = Math.round((now.getTime() - (a.postedAt ?? a.openedAt).getTime()) / 60_000);
        try {
          await notifier.post({
            channel: a.channelId,
            threadTs: a.messageTs!,
            ...escalationNote(a, record, minutesOpen),
          });
          posted.push({ ...w, record, notifier });
        } catch (err) {
          // the claim stays: after ESCALATION_CLAIM_STALE_MS a pass claims and posts it again
          deps.log.warn({ alert: a.id, step, err: (err as Error).message }, 'escalation note not posted; will retry');
        }
      }
    }),
  );
  // 4. marked posted, one statement per batch; then the parents redrawn from one read
  for (let i = 0; i < posted.length; i += CLAIMS_PER_STATEMENT)
    await markEscalationsPosted(
      deps.db,
      posted.slice(i, i + CLAIMS_PER_STATEMENT).map((p) => ({ a: p.a, step: p.step, to: p.record })),
      now,
    );
  await refreshParents(
    deps.db,
    posted.map((p) => ({
      id: p.a.id,
      notifier: p.notifier,
      zone: zoneOf(p.ch, deps.config),
      windowMinutes: p.a.kind === 'auto_unsubscribe' ? 0 : DEFAULT_ALERT_PARAMS[p.a.kind].windowMinutes,
    })),
    ESCALATIONS_AT_ONCE,
  );
  if (deps.changed) {
    const homes = oncePerWorkspace(deps.changed);
    for (const a of await alertsByIds(
      deps.db,
      posted.map((p) => p.a.id),
    ))
      await homes.note(a);
    await homes.flush();
  }
  return { escalated: posted.length, looked: candidates.length };
}
