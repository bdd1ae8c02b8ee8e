import type { Knex } from 'knex';
import { fromDbTime, isDuplicateKey, toDbTime } from '../db/dialect';
import { teamKey } from '../settings/channel-settings.repository';
import type { SpikeKind } from '../domain/alert-rule';

/** Where an alert lives: a channel of one workspace (a Slack Connect channel has one per workspace). */
export interface ChannelKey {
  teamId: string | null;
  channelId: string;
}

export const sameChannel = (a: ChannelKey, b: ChannelKey): boolean =>
  a.channelId === b.channelId && teamKey(a.teamId) === teamKey(b.teamId);

export type AlertKind = SpikeKind | 'auto_unsubscribe';
export type AlertState = 'open' | 'acknowledged' | 'snoozed' | 'resolved';

export interface AlertScope {
  carrier: string | null;
  type: 'sms' | 'mms' | null;
  accountId: string | null;
  /** the account's name when it was opened, for the message */
  accountName?: string | null;
}

export interface Alert {
  id: number;
  /** the workspace that owns it (null: the default one) */
  teamId: string | null;
  channelId: string;
  kind: AlertKind;
  scopeKey: string;
  scope: AlertScope;
  state: AlertState;
  rate: number | null;
  baseline: number | null;
  threshold: number | null;
  peakRate: number | null;
  volume: number | null;
  /** settled messages in the window when the peak rate was seen */
  peakVolume: number | null;
  messageTs: string | null;
  ackedBy: string | null;
  ackedAt: Date | null;
  snoozedUntil: Date | null;
  snoozedBy: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  belowSince: Date | null;
  openedAt: Date;
  detail: unknown;
  /** when the parent was posted (the escalation clock starts here) */
  postedAt: Date | null;
  /** found in quiet hours and not posted yet: the summary at their end posts it */
  held: boolean;
  /** the highest escalation step claimed, and the highest posted (equal unless a post is in flight) */
  escalationStep: number;
  escalationPosted: number;
  escalationClaimedAt: Date | null;
  escalatedAt: Date | null;
}

const t = (v: unknown) => (v === null || v === undefined ? null : fromDbTime(v));
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toAlert(r: Record<string, unknown>): Alert {
  return {
    id: Number(r.id),
    teamId: (r.team_id as string | null) || null,
    channelId: r.channel_id as string,
    kind: r.kind as AlertKind,
    scopeKey: r.scope_key as string,
    scope: JSON.parse(r.scope as string) as AlertScope,
    state: r.state as AlertState,
    rate: n(r.rate),
    baseline: n(r.baseline),
    threshold: n(r.threshold),
    peakRate: n(r.peak_rate),
    volume: n(r.volume),
    peakVolume: n(r.peak_volume) ?? n(r.volume),
    messageTs: (r.message_ts as string | null) ?? null,
    ackedBy: (r.acked_by as string | null) ?? null,
    ackedAt: t(r.acked_at),
    snoozedUntil: t(r.snoozed_until),
    snoozedBy: (r.snoozed_by as string | null) ?? null,
    resolvedBy: (r.resolved_by as string | null) ?? null,
    resolvedAt: t(r.resolved_at),
    belowSince: t(r.below_since),
    openedAt: fromDbTime(r.opened_at),
    detail: r.detail ? JSON.parse(r.detail as string) : null,
    postedAt: t(r.posted_at),
    held: Boolean(r.held),
    escalationStep: Number(r.escalation_step ?? 0),
    escalationPosted: Number(r.escalation_posted ?? 0),
    escalationClaimedAt: t(r.escalation_claimed_at),
    escalatedAt: t(r.escalated_at),
  };
}

export async function getAlert(db: Knex, id: number): Promise<Alert | null> {
  const r = await db('alerts').first('*').where({ id });
  return r ? toAlert(r) : null;
}

/** The alert posted as `ts` in `where`'s channel, if it is that workspace's own. */
export async function findAlertByMessage(db: Knex, where: ChannelKey, ts: string): Promise<Alert | null> {
  const r = await db('alerts')
    .first('*')
    .where({ team_id: teamKey(where.teamId), channel_id: where.channelId, message_ts: ts });
  return r ? toAlert(r) : null;
}

/**
 * The live alerts of one workspace's channel, or of every channel (the evaluation, which
 * matches each to its own channel and workspace). There is no default: a caller names which.
 */
export async function liveAlerts(db: Knex, where: ChannelKey | 'every channel'): Promise<Alert[]> {
  const q = db('alerts').select('*').whereNot({ state: 'resolved' }).orderBy('id');
  if (where !== 'every channel') q.where({ team_id: teamKey(where.teamId), channel_id: where.channelId });
  return (await q).map(toAlert);
}

/** The live alerts of one workspace, every channel of it (a disconnect closes those it may no longer see). */
export async function liveAlertsOfTeam(db: Knex, teamId: string | null): Promise<Alert[]> {
  return (
    await db('alerts')
      .select('*')
      .whereNot({ state: 'resolved' })
      .where({ team_id: teamKey(teamId) })
  ).map(toAlert);
}

/** Opens an alert unless one is already live for the scope (then returns null). */
export async function openAlert(
  db: Knex,
  a: {
    teamId: string | null;
    channelId: string;
    kind: AlertKind;
    scopeKey: string;
    scope: AlertScope;
    rate: number | null;
    baseline: number | null;
    threshold: number | null;
    volume: number | null;
    detail?: unknown;
    /** quiet hours: open it, but post it only when they end */
    held?: boolean;
  },
  now: Date,
): Promise<Alert | null> {
  try {
    const [id] = await db('alerts').insert({
      team_id: teamKey(a.teamId),
      channel_id: a.channelId,
      kind: a.kind,
      scope_key: a.scopeKey,
      scope: JSON.stringify(a.scope),
      live_key: a.scopeKey,
      state: 'open',
      rate: a.rate,
      baseline: a.baseline,
      threshold: a.threshold,
      peak_rate: a.rate,
      volume: a.volume,
      peak_volume: a.volume,
      opened_at: toDbTime(now),
      detail: a.detail === undefined ? null : JSON.stringify(a.detail),
      held: a.held ?? false,
    });
    return getAlert(db, Number(id));
  } catch (err) {
    if (isDuplicateKey(err)) return null; // an alert for this scope is already live
    throw err;
  }
}

export async function setMessageTs(db: Knex, id: number, ts: string, now: Date): Promise<void> {
  await db('alerts')
    .where({ id })
    .update({ message_ts: ts, posted_at: toDbTime(now) });
}

/** The open (unacknowledged, posted) alerts an escalation pass looks at: one read. */
export async function escalationCandidates(db: Knex): Promise<Alert[]> {
  return (
    await db('alerts').select('*').where({ state: 'open', held: false }).whereNotNull('message_ts').orderBy('id')
  ).map(toAlert);
}

/**
 * Claims many alerts' steps in one statement (a pass's batch): each only from the step it was
 * read at, as `claimEscalationStep` does, tagged with this pass's token; returns the ids won.
 * One statement and one read-back instead of an update per alert (1,000 due at once); no
 * transaction around them: the token says which rows this pass won (the embedded SQLite's
 * driver is synchronous, and a lock held across an await would stall the process).
 */
export async function claimEscalationSteps(
  db: Knex,
  claims: Array<{ a: Pick<Alert, 'id' | 'escalationStep' | 'escalationPosted' | 'escalationClaimedAt'>; step: number }>,
  token: string,
  now: Date,
): Promise<Set<number>> {
  if (claims.length === 0) return new Set();
  const ids = claims.map((c) => c.a.id);
  await db('alerts')
    .where({ state: 'open' })
    .whereIn('id', ids)
    .where((w) => {
      for (const { a } of claims)
        w.orWhere((x) => {
          x.where({ id: a.id, escalation_step: a.escalationStep, escalation_posted: a.escalationPosted });
          if (a.escalationClaimedAt === null) x.whereNull('escalation_claimed_at');
          else x.where({ escalation_claimed_at: toDbTime(a.escalationClaimedAt) });
        });
    })
    .update({
      escalation_step: db.raw(
        `CASE id ${claims.map(() => 'WHEN ? THEN ?').join(' ')} END`,
        claims.flatMap((c) => [c.a.id, c.step]),
      ),
      escalation_claimed_at: toDbTime(now),
      escalation_claim: token,
    });
  const won = (await db('alerts').select('id').whereIn('id', ids).where({ escalation_claim: token })) as Array<{
    id: unknown;
  }>;
  return new Set(won.map((r) => Number(r.id)));
}

/** Marks many steps posted in one statement (the batch a pass posted). */
export async function markEscalationsPosted(
  db: Knex,
  marks: Array<{ a: Pick<Alert, 'id' | 'detail'>; step: number; to: unknown }>,
  now: Date,
): Promise<void> {
  if (marks.length === 0) return;
  await db('alerts')
    .whereIn(
      'id',
      marks.map((m) => m.a.id),
    )
    // only the step this pass claimed (a stale re-claim by another pass keeps its own)
    .where((w) => {
      for (const m of marks) w.orWhere({ id: m.a.id, escalation_step: m.step });
    })
    .update({
      escalation_posted: db.raw(
        `CASE id ${marks.map(() => 'WHEN ? THEN ?').join(' ')} END`,
        marks.flatMap((m) => [m.a.id, m.step]),
      ),
      escalated_at: toDbTime(now),
      detail: db.raw(
        `CASE id ${marks.map(() => 'WHEN ? THEN ?').join(' ')} END`,
        marks.flatMap((m) => [m.a.id, JSON.stringify({ ...((m.a.detail as object | null) ?? {}), escalatedTo: m.to })]),
      ),
    });
}

/** The alerts of these ids (a pass redraws their parents from one read). */
export async function alertsByIds(db: Knex, ids: number[]): Promise<Alert[]> {
  if (ids.length === 0) return [];
  return (await db('alerts').select('*').whereIn('id', ids).orderBy('id')).map(toAlert);
}

/** The held alerts of every channel, by channel (the quiet-hours summary job's view). */
export async function heldAlerts(db: Knex): Promise<Alert[]> {
  return (await db('alerts').select('*').where({ held: true }).orderBy('id')).map(toAlert);
}

/** Takes an alert out of hold; only one caller gets true. */
export async function releaseHeld(db: Knex, id: number): Promise<boolean> {
  return (await db('alerts').where({ id, held: true }).update({ held: false })) > 0;
}

/**
 * State changes are conditional updates: they apply only from the states given, so an
 * acknowledgement racing an auto-resolve, or two clicks at once, end in one state and only
 * the winner reports it. Returns whether this call changed the alert.
 */
export async function transition(
  db: Knex,
  id: number,
  from: AlertState[],
  change: Record<string, unknown>,
): Promise<boolean> {
  const n = await db('alerts').where({ id }).whereIn('state', from).update(change);
  return n > 0;
}

/** Acknowledges a snoozed alert nobody acknowledged yet, keeping its snooze. */
export async function acknowledgeSnoozed(db: Knex, id: number, user: string, now: Date): Promise<boolean> {
  const n = await db('alerts')
    .where({ id, state: 'snoozed' })
    .whereNull('acked_by')
    .update({ acked_by: user, acked_at: toDbTime(now) });
  return n > 0;
}

export async function recordObservation(
  db: Knex,
  id: number,
  o: { rate: number | null; volume: number; peakRate?: number; belowSince: Date | null },
): Promise<void> {
  await db('alerts')
    .where({ id })
    .update({
      rate: o.rate,
      volume: o.volume,
      ...(o.peakRate !== undefined ? { peak_rate: o.peakRate, peak_volume: o.volume } : {}),
      below_since: o.belowSince ? toDbTime(o.belowSince) : null,
    });
}
