import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { DEFAULT_ALERT_PARAMS } from '../domain/alert-rule';
import { isQuiet, quietPeriod } from '../domain/escalation';
import { effectiveChannels, zoneOf } from '../settings/channels';
import { quietWords } from '../settings/settings.blocks';
import { channelKeyOf, type WorkspaceDirectory } from '../workspaces/workspace-directory';
import { quietSummaryMessage, spikeAlertMessage } from './alert.blocks';
import { getAlert, heldAlerts, releaseHeld, setMessageTs, type Alert } from './alerts.repository';
import { oncePerWorkspace } from './alerts.service';

export interface QuietDeps {
  db: Knex;
  config: Config;
  workspaces: WorkspaceDirectory;
  log: Logger;
  /** told when a held alert is posted (Home tabs are redrawn) */
  changed?: (a: Alert) => Promise<void>;
}

/**
 * The channels whose held alerts are due for their summary: quiet hours over (or turned off,
 * or alerts turned off — held alerts are never left unposted). One slot per batch of held
 * alerts (its first alert's id), so the run ledger posts each summary once across instances.
 */
export async function quietSummariesDue(
  db: Knex,
  config: Config,
  now: Date,
): Promise<Array<{ slot: string; dueAt: Date; context: { teamId: string | null; channelId: string } }>> {
  const held = await heldAlerts(db);
  if (held.length === 0) return [];
  const channels = new Map((await effectiveChannels(db, config)).map((c) => [channelKeyOf(c), c]));
  const out = new Map<string, { slot: string; dueAt: Date; context: { teamId: string | null; channelId: string } }>();
  for (const a of held) {
    const key = channelKeyOf(a);
    if (out.has(key)) continue;
    const ch = channels.get(key);
    const q = ch?.alertsEnabled && ch.quiet ? { ...ch.quiet, zone: ch.quiet.zone ?? zoneOf(ch, config) } : null;
    if (q && isQuiet(q, now)) continue;
    const dueAt = q ? quietPeriod(q, now).end : now;
    out.set(key, {
      slot: `${key}#${a.id}`,
      dueAt: dueAt > now ? now : dueAt,
      context: { teamId: a.teamId, channelId: a.channelId },
    });
  }
  return [...out.values()];
}

/**
 * Posts one summary of the channel's held alerts, then each one still live as an ordinary alert
 * (acknowledge, escalation and thread notes work as usual from there; its escalation clock
 * starts when it is posted). Those that resolved during the quiet hours appear only in the summary.
 */
export async function postQuietSummary(
  deps: QuietDeps,
  where: { teamId: string | null; channelId: string },
  now: Date,
): Promise<{ held: number; posted: number }> {
  const held = (await heldAlerts(deps.db)).filter(
    (a) => a.channelId === where.channelId && (a.teamId ?? '') === (where.teamId ?? ''),
  );
  if (held.length === 0) return { held: 0, posted: 0 };
  const notifier = await deps.workspaces.notifierFor(where.teamId);
  if (!notifier) return { held: held.length, posted: 0 }; // uninstalled: nothing more is posted there
  const ch =
    (await effectiveChannels(deps.db, deps.config)).find((c) => channelKeyOf(c) === channelKeyOf(where)) ?? null;
  const zone = ch ? zoneOf(ch, deps.config) : deps.config.defaultTimezone;
  const words = ch?.quiet ? quietWords(ch.quiet, zone) : 'turned off';
  await notifier.post({ channel: where.channelId, ...quietSummaryMessage(held, words, zone) });
  let posted = 0;
  const homes = oncePerWorkspace(deps.changed);
  for (const h of held) {
    if (!(await releaseHeld(deps.db, h.id))) continue;
    const a = (await getAlert(deps.db, h.id)) as Alert;
    if (a.state === 'resolved' || a.kind === 'auto_unsubscribe') continue;
    const ts = await notifier.post({
      channel: a.channelId,
      ...spikeAlertMessage(a, zone, DEFAULT_ALERT_PARAMS[a.kind].windowMinutes),
    });
    await setMessageTs(deps.db, a.id, ts, now);
    await homes.note(a);
    posted++;
  }
  await homes.flush();
  return { held: held.length, posted };
}
