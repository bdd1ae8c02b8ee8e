import type { Knex } from 'knex';
import {
  DEFAULT_ALERT_PARAMS,
  SPIKE_KINDS,
  isBelowResolveLine,
  rateOf,
  shouldFire,
  threshold,
  type AlertParams,
  type Observation,
} from '../domain/alert-rule';
import type { Config } from '../config';
import { SETTLED_STATUS_SET, SETTLED_STATUSES, type Status } from '../domain/status';
import { REASONS, reasonOf, type ReasonCode } from '../domain/reasons';
import type { SpikeKind } from '../domain/alert-rule';
import type { Logger } from '../logger';
import { toDbTime } from '../db/dialect';
import { effectiveChannels, zoneOf } from '../settings/channels';
import { getChannelSettings, type ChannelSettings } from '../settings/channel-settings.repository';
import type { Notifier } from '../messages/notifier';
import { channelKeyOf, type WorkspaceDirectory } from '../workspaces/workspace-directory';
import { sees, type AccountScope } from '../domain/account-scope';
import { fmtPct, fmtInt } from '../messages/mrkdwn';
import { accountNames, campaignNames } from '../db/directory.repository';
import { incidentSummaryNote, scopeName, spikeAlertMessage, threadNote } from './alert.blocks';
import {
  acknowledgeSnoozed,
  alertsByIds,
  getAlert,
  sameChannel,
  type ChannelKey,
  liveAlerts,
  liveAlertsOfTeam,
  openAlert,
  recordObservation,
  setMessageTs,
  transition,
  type Alert,
  type AlertScope,
} from './alerts.repository';
import {
  baselineCampaignRows,
  baselineCounts,
  hourlyCampaignRows,
  windowCampaignRows,
  windowCounts,
  type AlertTraffic,
  type CountRow,
} from './observations.repository';
import { alertChange, incidentFigures, isFailureOf, topCampaigns } from '../domain/incident';
import { isQuiet, isSevere } from '../domain/escalation';
import { ceilTo, floorTo, HOUR_MS } from '../domain/time-buckets';
import { narrowTo } from '../domain/account-scope';

export interface AlertDeps {
  db: Knex;
  config: Config;
  workspaces: WorkspaceDirectory;
  log: Logger;
  params?: Partial<Record<SpikeKind, Partial<AlertParams>>>;
  /** told when an alert opened, changed or resolved (Home tabs are redrawn) */
  changed?: (a: Alert) => Promise<void>;
}

const KINDS = SPIKE_KINDS;
// sender problems count every message the sender handed over, Ignored (30002) included
const SENT: ReadonlySet<string> = new Set([...SETTLED_STATUSES, 'ignored']);

function params(deps: AlertDeps, kind: (typeof KINDS)[number], s: ChannelSettings): AlertParams {
  const base = { ...DEFAULT_ALERT_PARAMS[kind], ...(deps.params?.[kind] ?? {}) };
  const floor = kind === 'undelivered' ? s.undeliveredFloor : kind === 'unreachable' ? s.unreachableFloor : null;
  return floor === null ? base : { ...base, floor };
}

export const scopeKey = (s: AlertScope) => `${s.accountId ?? '*'}|${s.carrier ?? '*'}|${s.type ?? '*'}`;

/** Sums rows into observations for every scope a channel watches: overall and carrier × type. */
function observe(
  rows: CountRow[],
  baseline: CountRow[],
  kind: (typeof KINDS)[number],
  accounts: AccountScope,
  accountId: string | null,
) {
  const out = new Map<
    string,
    {
      scope: AlertScope;
      win: { volume: number; failures: number };
      base: { volume: number; failures: number };
      mix: Map<ReasonCode, number>;
    }
  >();
  // the failures an alert of this kind counts: its status, or (sender problem) a sender reason
  const isFailure = (r: CountRow) => isFailureOf(kind, r.status, r.errorCode ?? null);
  const add = (r: CountRow, which: 'win' | 'base') => {
    if (!(kind === 'sender_problem' ? SENT : (SETTLED_STATUS_SET as ReadonlySet<string>)).has(r.status)) return;
    // only the accounts the channel may see (collapsed baseline rows, '*', serve channels that see all)
    if (!accounts.all && !sees(accounts, r.accountId)) return;
    for (const scope of [
      { carrier: null, type: null, accountId },
      { carrier: r.carrier, type: r.type, accountId },
    ] as AlertScope[]) {
      const key = scopeKey(scope);
      const o = out.get(key) ?? {
        scope,
        win: { volume: 0, failures: 0 },
        base: { volume: 0, failures: 0 },
        mix: new Map<ReasonCode, number>(),
      };
      out.set(key, o);
      o[which].volume += r.messages;
      if (!isFailure(r)) continue;
      o[which].failures += r.messages;
      const reason = which === 'win' ? reasonOf(r.status as Status, r.errorCode ?? null) : null;
      if (reason) o.mix.set(reason, (o.mix.get(reason) ?? 0) + r.messages);
    }
  };
  for (const r of rows) add(r, 'win');
  for (const r of baseline) add(r, 'base');
  return [...out.values()].map((o) => ({
    scope: o.scope,
    mix: [...o.mix]
      .map(([reason, messages]) => ({ reason, label: REASONS[reason].label, messages }))
      .sort((a, b) => b.messages - a.messages),
    obs: {
      volume: o.win.volume,
      failures: o.win.failures,
      baseline: o.base.volume ? o.base.failures / o.base.volume : null,
    } satisfies Observation,
  }));
}

/**
 * One evaluation of every channel's spike alerts: opens an alert for a scope that crosses its
 * threshold (one per scope while it lives), posts worsening into the alert's thread, and
 * resolves an alert whose rate has stayed under the resolve line long enough.
 */
export async function evaluateAlerts(
  deps: AlertDeps,
  now: Date,
): Promise<{ opened: number; resolved: number; updated: number; held: number; openedIn: string[] }> {
  const channels = (await effectiveChannels(deps.db, deps.config)).filter((c) => c.alertsEnabled);
  const result = { opened: 0, resolved: 0, updated: 0, held: 0, openedIn: [] as string[] };
  if (channels.length === 0) return result;
  const visible = await deps.workspaces.accountsOfMany(channels);
  const byAccount = [...visible.values()].some((a) => !a.all);
  const groupByAccount = (rows: CountRow[]) => {
    const m = new Map<string, CountRow[]>();
    for (const r of rows) {
      const list = m.get(r.accountId) ?? [];
      list.push(r);
      m.set(r.accountId, list);
    }
    return m;
  };
  // each kind reads its own window and baseline (read once per distinct pair: usually one)
  const readsFor = new Map<string, Promise<WindowReads>>();
  const reads = (kind: SpikeKind): Promise<WindowReads> => {
    const p = { ...DEFAULT_ALERT_PARAMS[kind], ...(deps.params?.[kind] ?? {}) };
    const key = `${p.windowMinutes}/${p.baselineDays}`;
    let r = readsFor.get(key);
    if (!r) {
      const from = new Date(now.getTime() - p.windowMinutes * 60_000);
      const baseFrom = new Date(from.getTime() - p.baselineDays * 86400_000);
      r = Promise.all([windowCounts(deps.db, from, now), baselineCounts(deps.db, baseFrom, from, byAccount)]).then(
        ([win, base]) => ({
          win,
          base,
          winByAccount: groupByAccount(win),
          baseByAccount: groupByAccount(base),
          collapsed: collapseAccounts(base),
        }),
      );
      readsFor.set(key, r);
    }
    return r;
  };
  const live = await liveAlerts(deps.db, 'every channel');
  const homes = oncePerWorkspace(deps.changed);
  for (const ch of channels) {
    const zone = zoneOf(ch, deps.config);
    const accounts = visible.get(channelKeyOf(ch))!;
    const here = (a: Alert) => sameChannel(a, ch);
    // an uninstalled workspace gets nothing more: no new alerts, no thread notes
    const notifier = await deps.workspaces.notifierFor(ch.teamId);
    if (!notifier) continue;
    const post: PostDeps = {
      db: deps.db,
      notifier,
      summary: { accounts, segmentPrice: deps.config.segmentPrice },
      changed: homes.note,
    };
    for (const kind of KINDS) {
      const p = params(deps, kind, ch);
      const { win, base, winByAccount, baseByAccount, collapsed } = await reads(kind);
      // only the rows of the accounts the channel may see (grouped once: 1,000 merchant channels
      // must not each scan every account's rows)
      const winRows = accounts.all ? win : accounts.ids.flatMap((id) => winByAccount.get(id) ?? []);
      const baseRows = accounts.all
        ? byAccount
          ? collapsed
          : base
        : accounts.ids.flatMap((id) => baseByAccount.get(id) ?? []);
      // narrowest scopes first: when a carrier × type scope fires, the overall scope is not
      // alerted as well (the carrier alert already explains it)
      // a sender problem is the sender's, whatever the carrier: the channel's overall scope only
      const scopes = observe(winRows, baseRows, kind, accounts, ch.accountId)
        .filter((o) => kind !== 'sender_problem' || o.scope.carrier === null)
        .sort((a, b) => Number(a.scope.carrier === null) - Number(b.scope.carrier === null));
      let narrowFiring = live.some((a) => here(a) && a.kind === kind && a.scope.carrier !== null);
      for (const { scope, obs, mix } of scopes) {
        const key = scopeKey(scope);
        const existing = live.find((a) => here(a) && a.kind === kind && a.scopeKey === key);
        if (existing) {
          const r = await followUp(post, existing, obs, p, zone, now);
          result.updated += r === 'updated' ? 1 : 0;
          result.resolved += r === 'resolved' ? 1 : 0;
        } else if (shouldFire(obs, p)) {
          if (scope.carrier !== null) narrowFiring = true;
          else if (narrowFiring) continue;
          const traffic = trafficOf(scope, accounts);
          const winFrom = new Date(now.getTime() - p.windowMinutes * 60_000);
          const windowRows = await windowCampaignRows(deps.db, winFrom, now, traffic);
          const drivers = topCampaigns(windowRows, kind);
          // the failure rate against the baseline, split by campaign (and carrier, for every carrier)
          const inScope = (r: CountRow) =>
            (scope.carrier === null || r.carrier === scope.carrier) && (scope.type === null || r.type === scope.type);
          const change =
            kind === 'sender_problem'
              ? null
              : alertChange(
                  kind,
                  {
                    before: await baselineCampaignRows(
                      deps.db,
                      new Date(winFrom.getTime() - p.baselineDays * 86_400_000),
                      winFrom,
                      traffic,
                    ),
                    after: windowRows,
                  },
                  scope.carrier === null ? { before: baseRows.filter(inScope), after: winRows.filter(inScope) } : null,
                  SETTLED_STATUS_SET,
                );
          const names = await campaignNames(deps.db, [
            ...new Set([
              ...drivers.map((d) => d.campaignId),
              ...(change?.contributions.filter((c) => c.dimension === 'campaign').map((c) => c.key) ?? []),
            ]),
          ]);
          if (change)
            for (const c of change.contributions)
              if (c.dimension === 'campaign' && names.has(c.key)) c.label = names.get(c.key)!;
          const rate = rateOf(obs);
          const fireLine = threshold(obs, p);
          // quiet hours hold all but a severe alert (posted when they end, as one summary)
          const held =
            ch.quiet !== null &&
            isQuiet({ ...ch.quiet, zone: ch.quiet.zone ?? zone }, now) &&
            !isSevere({ kind, rate, threshold: fireLine, volume: obs.volume });
          const alert = await openAlert(
            deps.db,
            {
              teamId: ch.teamId,
              channelId: ch.channelId,
              kind,
              scopeKey: key,
              scope: scope.accountId
                ? {
                    ...scope,
                    accountName: (await accountNames(deps.db, [scope.accountId])).get(scope.accountId) ?? null,
                  }
                : scope,
              rate,
              baseline: obs.baseline,
              threshold: fireLine,
              volume: obs.volume,
              detail: {
                reasons: mix,
                campaigns: drivers.map((d) => ({ ...d, name: names.get(d.campaignId) ?? d.campaignId })),
                change,
              },
              held,
            },
            now,
          );
          if (!alert) continue;
          if (held) {
            result.held++;
            continue;
          }
          const msg = spikeAlertMessage(alert, zone, p.windowMinutes);
          const ts = await notifier.post({ channel: ch.channelId, ...msg });
          await setMessageTs(deps.db, alert.id, ts, now);
          await homes.note(alert);
          result.opened++;
          result.openedIn.push(ch.channelId);
        }
      }
      // live alerts whose scope saw no traffic at all this window
      const seen = new Set(scopes.map((o) => scopeKey(o.scope)));
      for (const a of live.filter((x) => here(x) && x.kind === kind)) {
        if (seen.has(a.scopeKey)) continue;
        const r = await followUp(post, a, { volume: 0, failures: 0, baseline: a.baseline }, p, zone, now);
        result.resolved += r === 'resolved' ? 1 : 0;
      }
    }
  }
  await homes.flush();
  return result;
}

interface WindowReads {
  win: CountRow[];
  base: CountRow[];
  winByAccount: Map<string, CountRow[]>;
  baseByAccount: Map<string, CountRow[]>;
  collapsed: CountRow[];
}

function collapseAccounts(rows: CountRow[]): CountRow[] {
  return rows.map((r) => ({ ...r, accountId: '*' }));
}

async function followUp(
  deps: PostDeps,
  a: Alert,
  obs: Observation,
  p: AlertParams,
  zone: string,
  now: Date,
): Promise<'updated' | 'resolved' | 'none'> {
  if (a.state === 'snoozed' && a.snoozedUntil && a.snoozedUntil > now) return 'none';
  if (a.state === 'snoozed') {
    // back to where the snooze found it: acknowledged if someone had, else open
    const back = a.ackedBy ? 'acknowledged' : 'open';
    if (await transition(deps.db, a.id, ['snoozed'], { state: back, snoozed_until: null })) {
      await refreshParent(deps, a.id, zone, p.windowMinutes);
      await note(
        deps,
        a,
        back === 'open'
          ? `Snooze ended: the alert is open again.`
          : `Snooze ended: the alert is live again (acknowledged by <@${a.ackedBy}>).`,
      );
    }
  }
  const rate = rateOf(obs);
  const fireLine = a.threshold ?? threshold(obs, p);
  if (rate !== null && obs.volume >= p.minVolume && rate >= fireLine) {
    const worse = a.peakRate !== null && rate >= a.peakRate * p.worsenFactor;
    await recordObservation(deps.db, a.id, {
      rate,
      volume: obs.volume,
      belowSince: null,
      ...(worse ? { peakRate: rate } : {}),
    });
    if (worse) {
      await note(
        deps,
        a,
        `Worse: ${fmtPct(rate)} ${a.kind} over ${fmtInt(obs.volume)} settled messages (was ${fmtPct(a.peakRate)}).`,
      );
      await refreshParent(deps, a.id, zone, p.windowMinutes);
      return 'updated';
    }
    return 'none';
  }
  if (isBelowResolveLine(obs, fireLine, p)) {
    const since = a.belowSince ?? now;
    if (now.getTime() - since.getTime() >= p.resolveAfterMinutes * 60_000) {
      const won = await transition(deps.db, a.id, ['open', 'acknowledged', 'snoozed'], {
        state: 'resolved',
        live_key: null,
        resolved_by: 'auto',
        resolved_at: toDbTime(now),
        rate,
      });
      if (won) {
        await note(
          deps,
          a,
          `Resolved automatically: ${fmtPct(rate)} ${a.kind} over the last ${p.windowMinutes / 60} hours, under ${fmtPct(fireLine * p.resolveRatio)} for ${p.resolveAfterMinutes} minutes.`,
        );
        await refreshParent(deps, a.id, zone, p.windowMinutes);
        await postIncidentSummary(deps, a.id, zone);
        await deps.changed?.(a);
        return 'resolved';
      }
      return 'none';
    }
    await recordObservation(deps.db, a.id, { rate, volume: obs.volume, belowSince: since });
    return 'none';
  }
  await recordObservation(deps.db, a.id, { rate, volume: obs.volume, belowSince: null });
  return 'none';
}

/** What changing an alert needs: its rows, and the client of the workspace its channel is in. */
export interface PostDeps {
  db: Knex;
  notifier: Notifier;
  /** what a resolve needs for its incident summary: the channel's accounts and the segment price (none: no summary) */
  summary?: { accounts: AccountScope; segmentPrice: number };
  /** told when an alert changed (the Home tabs that show it are redrawn) */
  changed?: (a: Alert) => Promise<void>;
}

/**
 * A pass that changes many alerts (an evaluation, an escalation pass, a quiet-hours release)
 * redraws each workspace's Home once at its end, not once per alert.
 */
export function oncePerWorkspace(changed: ((a: Alert) => Promise<void>) | undefined) {
  const byTeam = new Map<string, Alert>();
  return {
    note: async (a: Alert) => void byTeam.set(a.teamId ?? '', a),
    flush: async () => {
      for (const a of byTeam.values()) await changed?.(a);
      byTeam.clear();
    },
  };
}

/** The traffic an alert's scope covers, within the accounts its channel sees. */
export const trafficOf = (scope: AlertScope, accounts: AccountScope): AlertTraffic => ({
  carrier: scope.carrier,
  type: scope.type,
  accounts: scope.accountId ? narrowTo(accounts, scope.accountId) : accounts,
});

/**
 * Posts what the incident cost in the alert's thread, once it is resolved: from the alert's
 * window before it opened to its end, whole hours of the reason grain, in the channel's scope.
 */
export async function postIncidentSummary(deps: PostDeps, id: number, zone: string): Promise<void> {
  const a = await getAlert(deps.db, id);
  if (!a?.messageTs || !deps.summary || a.kind === 'auto_unsubscribe' || a.state !== 'resolved') return;
  const windowMinutes = DEFAULT_ALERT_PARAMS[a.kind].windowMinutes;
  const from = new Date(floorTo(a.openedAt.getTime() - windowMinutes * 60_000, HOUR_MS));
  const to = new Date(ceilTo((a.resolvedAt ?? a.openedAt).getTime() + 1, HOUR_MS));
  const rows = await hourlyCampaignRows(deps.db, from, to, trafficOf(a.scope, deps.summary.accounts));
  const figures = incidentFigures(rows, a.kind, deps.summary.segmentPrice);
  const names = await campaignNames(
    deps.db,
    figures.campaigns.map((c) => c.campaignId),
  );
  await deps.notifier.post({
    channel: a.channelId,
    threadTs: a.messageTs,
    ...incidentSummaryNote({ alert: a, figures, names, segmentPrice: deps.summary.segmentPrice, from, to }, zone),
  });
}

async function note(deps: Pick<PostDeps, 'notifier'>, a: Alert, text: string): Promise<void> {
  if (!a.messageTs) return;
  await deps.notifier.post({ channel: a.channelId, threadTs: a.messageTs, ...threadNote(text) });
}

/**
 * Redraws the parent from the database. A concurrent change may land between our read and
 * Slack's edit, so the row is read again afterwards and the edit repeated until they agree.
 */
export async function refreshParent(deps: PostDeps, id: number, zone: string, windowMinutes: number): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const a = await getAlert(deps.db, id);
    if (!a?.messageTs) return;
    const msg = a.kind === 'auto_unsubscribe' ? null : spikeAlertMessage(a, zone, windowMinutes);
    if (!msg) return;
    await deps.notifier.update({ channel: a.channelId, ts: a.messageTs, ...msg });
    const after = await getAlert(deps.db, id);
    if (after && fingerprint(after) === fingerprint(a)) return;
  }
}

/**
 * Redraws many parents (an escalation pass): one read, the edits, one read again; only a parent
 * whose row changed meanwhile is redrawn again, one by one as `refreshParent` does.
 */
export async function refreshParents(
  db: Knex,
  items: Array<{ id: number; notifier: Notifier; zone: string; windowMinutes: number }>,
  atOnce: number,
): Promise<void> {
  const rows = new Map(
    (
      await alertsByIds(
        db,
        items.map((i) => i.id),
      )
    ).map((a) => [a.id, a]),
  );
  const queue = items.filter((i) => rows.get(i.id)?.messageTs);
  await Promise.all(
    Array.from({ length: Math.min(atOnce, queue.length) }, async () => {
      for (let i = queue.shift(); i; i = queue.shift()) {
        const a = rows.get(i.id)!;
        if (a.kind === 'auto_unsubscribe') continue;
        await i.notifier.update({
          channel: a.channelId,
          ts: a.messageTs!,
          ...spikeAlertMessage(a, i.zone, i.windowMinutes),
        });
      }
    }),
  );
  const after = await alertsByIds(
    db,
    items.map((i) => i.id),
  );
  for (const a of after) {
    const before = rows.get(a.id);
    const item = items.find((i) => i.id === a.id)!;
    if (before && fingerprint(before) !== fingerprint(a))
      await refreshParent({ db, notifier: item.notifier }, a.id, item.zone, item.windowMinutes);
  }
}

const fingerprint = (a: Alert) =>
  [
    a.state,
    a.ackedBy,
    a.ackedAt?.getTime(),
    a.snoozedBy,
    a.snoozedUntil?.getTime(),
    a.resolvedAt?.getTime(),
    a.peakRate,
    a.volume,
  ].join('|');

export type AlertActionResult = { ok: true } | { ok: false; message: string };

/** Acknowledge / snooze / resolve from Slack (button, select, or `ack` in the thread). */
export async function actOnAlert(
  deps: PostDeps,
  id: number,
  action: { type: 'ack' } | { type: 'resolve' } | { type: 'snooze'; hours: number },
  user: string,
  now: Date,
  zone: string,
  /**
   * the workspace and channel the click came from: an alert lives in one channel of one
   * workspace, and only there, by that workspace's users, can it be changed
   */
  where: ChannelKey,
): Promise<AlertActionResult> {
  const a = await getAlert(deps.db, id);
  // a forged or stale value naming another channel's (or another workspace's) alert is
  // answered as one that does not exist
  if (!a || !sameChannel(a, where)) return { ok: false, message: `There is no alert ${id}.` };
  let won = false;
  let text = '';
  if (action.type === 'ack') {
    // a snoozed alert stays snoozed (the snooze is someone's decision too): it is acknowledged
    // beside it, and when the snooze ends it comes back acknowledged
    won =
      a.state === 'snoozed'
        ? await acknowledgeSnoozed(deps.db, id, user, now)
        : await transition(deps.db, id, ['open'], { state: 'acknowledged', acked_by: user, acked_at: toDbTime(now) });
    text = `Acknowledged by <@${user}>.`;
  } else if (action.type === 'snooze') {
    const until = new Date(now.getTime() + action.hours * 3600_000);
    won = await transition(deps.db, id, ['open', 'acknowledged', 'snoozed'], {
      state: 'snoozed',
      snoozed_by: user,
      snoozed_until: toDbTime(until),
    });
    text = `Snoozed for ${action.hours}h by <@${user}>.`;
  } else {
    won = await transition(deps.db, id, ['open', 'acknowledged', 'snoozed'], {
      state: 'resolved',
      live_key: null,
      resolved_by: user,
      resolved_at: toDbTime(now),
    });
    text = `Resolved by <@${user}>.`;
  }
  if (!won) {
    const cur = await getAlert(deps.db, id);
    const why =
      cur?.state === 'resolved'
        ? `it was already resolved ${cur.resolvedBy === 'auto' ? 'automatically' : `by <@${cur.resolvedBy}>`}`
        : cur?.ackedBy && action.type === 'ack'
          ? `it was already acknowledged by <@${cur.ackedBy}>`
          : `it is ${cur?.state}`;
    return { ok: false, message: `Nothing changed: ${why}.` };
  }
  await note(deps, a, text);
  await refreshParent(deps, id, zone, a.kind === 'auto_unsubscribe' ? 0 : DEFAULT_ALERT_PARAMS[a.kind].windowMinutes);
  if (action.type === 'resolve') await postIncidentSummary(deps, id, zone);
  const after = await getAlert(deps.db, id);
  if (after) await deps.changed?.(after);
  return { ok: true };
}

/**
 * After a workspace stops seeing accounts (`disconnect`, `revoke-all`): each of its live alerts
 * about an account it no longer sees — the alert's own account, or its channel's scope — is
 * resolved at once, with a thread note saying why (no note when the workspace has no token).
 */
export async function closeAlertsOutsideScope(
  deps: { db: Knex; notifier: Notifier | null },
  teamId: string | null,
  workspaceAccounts: AccountScope,
  now: Date,
): Promise<number> {
  let closed = 0;
  for (const a of await liveAlertsOfTeam(deps.db, teamId)) {
    const account = a.scope.accountId ?? (await getChannelSettings(deps.db, teamId, a.channelId))?.accountId ?? null;
    if (account === null || sees(workspaceAccounts, account)) continue;
    const won = await transition(deps.db, a.id, ['open', 'acknowledged', 'snoozed'], {
      state: 'resolved',
      live_key: null,
      resolved_by: 'disconnect',
      resolved_at: toDbTime(now),
    });
    if (!won) continue;
    closed++;
    if (deps.notifier)
      await note(
        { notifier: deps.notifier },
        a,
        'Closed: this workspace no longer sees that account. Nothing more will be posted about it here.',
      );
  }
  return closed;
}

/** What `alerts status` shows: the channel's alert and digest settings, and its open alerts. */
export interface AlertsStatus {
  alertsEnabled: boolean;
  undeliveredFloor: number;
  unreachableFloor: number;
  /** every account; one, by name; or one the workspace no longer sees (nothing is shown) */
  scope: { type: 'all' } | { type: 'account'; name: string } | { type: 'lost' };
  digest: { enabled: boolean; time: string; zone: string };
  escalation: ChannelSettings['escalation'];
  quiet: ChannelSettings['quiet'];
  reports: ChannelSettings['reports'];
  open: Array<{ kind: string; scope: string; state: string; rate: number | null }>;
}

/** `alerts status`: the channel's alert settings, digest, and its open alerts. */
export async function alertsStatus(
  db: Knex,
  s: ChannelSettings,
  zone: string,
  /** the accounts the workspace sees: a scope or an alert outside them is not named */
  workspaceAccounts: AccountScope,
): Promise<AlertsStatus> {
  const live = (await liveAlerts(db, s)).filter(
    (a) => a.scope.accountId === null || sees(workspaceAccounts, a.scope.accountId),
  );
  const scoped = s.accountId !== null && sees(workspaceAccounts, s.accountId) ? s.accountId : null;
  const names = await accountNames(db, [
    ...new Set([scoped, ...live.map((a) => a.scope.accountId)].filter((x): x is string => x !== null)),
  ]);
  return {
    alertsEnabled: s.alertsEnabled,
    undeliveredFloor: s.undeliveredFloor ?? DEFAULT_ALERT_PARAMS.undelivered.floor,
    unreachableFloor: s.unreachableFloor ?? DEFAULT_ALERT_PARAMS.unreachable.floor,
    scope:
      s.accountId === null
        ? { type: 'all' }
        : scoped
          ? { type: 'account', name: names.get(scoped) ?? scoped }
          : { type: 'lost' },
    digest: { enabled: s.digestEnabled, time: s.digestTime, zone },
    escalation: s.escalation,
    quiet: s.quiet,
    reports: s.reports,
    open: live.map((a) => ({
      kind: a.kind,
      scope: scopeName(a, a.scope.accountId ? names.get(a.scope.accountId) : null),
      state: a.state,
      rate: a.rate,
    })),
  };
}
