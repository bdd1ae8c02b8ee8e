import type { Knex } from 'knex';
import type { Config } from '../config';
import { inTransaction, toDbTime } from '../db/dialect';
import { appendSubscriptionEvents } from '../db/subscriptions.repository';
import {
  atRiskBand,
  failedRun,
  incidentKey,
  isCarrierIncident,
  verdict,
  type SentToNumber,
} from '../domain/auto-unsubscribe';
import { FAILURE_STATUSES } from '../domain/status';
import type { Logger } from '../logger';
import { effectiveChannels } from '../settings/channels';
import { maskPhone } from '../messages/mrkdwn';
import type { SlackMessage } from '../messages/message';
import { accountNames } from '../db/directory.repository';
import { isPeriodError, resolvePeriod } from '../domain/period';
import type { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { sees, type AccountScope } from '../domain/account-scope';
import { autoUnsubscribeSummary, restoreLists } from './unsubscribes.blocks';
import {
  campaignCarrierOutcomes,
  atRiskSubscribers,
  autoUnsubscribesBetween,
  autoUnsubscribesOfRun,
  candidateSubscribers,
  getAutoUnsubscribe,
  announcementPostsOf,
  recordAnnouncementPost,
  getSubscribers,
  insertAutoUnsubscribe,
  recentMessages,
  setFailStreaks,
} from './unsubscribes.repository';
import { ROWS_PER_MESSAGE } from '../messages/block-limits';

/** Receipts are treated as settled a day after sending (most arrive within minutes; MMS rarely at all). */
export const SETTLE_HOURS = 24;
/** How far back each run looks past the previous run's marks (see runAutoUnsubscribe). */
export const RECHECK_OVERLAP_MS = 15 * 60_000;
/** numbers examined per round trip */
const CHUNK = 5000;

export interface UnsubDeps {
  db: Knex;
  config: Config;
  /** null: no Slack at all (nothing is announced) */
  workspaces: WorkspaceDirectory | null;
  log: Logger;
}

/**
 * The auto-unsubscribe job (DESIGN §3), incremental: it looks only at numbers with a message
 * that settled or changed status since its last run, recomputes their run of failed
 * campaigns, records the streak (for "at risk"), and unsubscribes those at the threshold.
 */
export async function runAutoUnsubscribe(
  deps: UnsubDeps,
  slot: string,
  now: Date,
  since: { at: Date; settledBefore: Date } | null,
) {
  const threshold = deps.config.autoUnsubscribeAfter;
  const settledBefore = new Date(now.getTime() - SETTLE_HOURS * 3600_000);
  // the last run's marks, moved back by an overlap: a status change stamped just before that run
  // but committed after it read is still seen (transactions are short; 15 minutes is ample)
  const overlapped = since
    ? {
        at: new Date(since.at.getTime() - RECHECK_OVERLAP_MS),
        settledBefore: new Date(since.settledBefore.getTime() - RECHECK_OVERLAP_MS),
      }
    : null;
  const ids = (await candidateSubscribers(deps.db, overlapped, settledBefore)).sort((a, b) => a - b);
  let unsubscribed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const [msgs, subs] = await Promise.all([
      recentMessages(deps.db, chunk, settledBefore, threshold),
      getSubscribers(deps.db, chunk),
    ]);
    const incident = await incidentsOf(deps, [...msgs.values()].flat());
    const streaks: Array<{ id: number; streak: number }> = [];
    for (const s of subs) {
      const run = failedRun(msgs.get(s.id) ?? [], threshold, incident);
      if (run.streak !== s.failStreak) streaks.push({ id: s.id, streak: run.streak });
      if (verdict(run.streak, threshold) !== 'unsubscribe' || !s.subscribed) continue;
      const done = await inTransaction(deps.db, async (trx) => {
        const n = await trx('subscribers')
          .where({ id: s.id, subscribed: true })
          .update({ subscribed: false, unsubscribe_reason: 'auto', state_changed_at: toDbTime(now) });
        if (n === 0) return false;
        await insertAutoUnsubscribe(
          trx,
          {
            subscriberId: s.id,
            accountId: s.accountId,
            phone: s.phone,
            carrier: s.carrier,
            at: now,
            campaigns: run.campaigns,
            reasons: run.reasons,
          },
          slot,
        );
        await appendSubscriptionEvents(
          trx,
          [
            {
              accountId: s.accountId,
              phone: s.phone,
              event: 'unsubscribed',
              reason: 'auto',
              at: now,
              source: 'auto-unsubscribe',
              detail: { campaigns: run.campaigns, reasons: run.reasons },
            },
          ],
          now,
        );
        return true;
      });
      if (done) unsubscribed++;
    }
    await setFailStreaks(deps.db, streaks);
  }
  if (unsubscribed > 0 && deps.workspaces) await announce(deps, deps.workspaces, slot);
  return { examined: ids.length, unsubscribed, settledBefore: settledBefore.toISOString(), at: now.toISOString() };
}

/** One alert per run: how many, by carrier and account; the numbers (masked) with Restore in the thread. */
async function announce(deps: UnsubDeps, workspaces: WorkspaceDirectory, slot: string): Promise<void> {
  const all = await autoUnsubscribesOfRun(deps.db, slot);
  const channels = (await effectiveChannels(deps.db, deps.config)).filter((c) => c.alertsEnabled);
  const names = await accountNames(deps.db, [...new Set(all.map((a) => a.accountId))]);
  const name = (id: string) => names.get(id) ?? id;
  for (const ch of channels) {
    // each channel hears of the numbers of the accounts its workspace (and scope) may see
    const accounts = await workspaces.accountsOf(ch);
    const mine = all.filter((a) => sees(accounts, a.accountId));
    if (mine.length === 0) continue;
    const notifier = await workspaces.notifierFor(ch.teamId);
    if (!notifier) continue;
    const parent = autoUnsubscribeSummary(mine, deps.config.autoUnsubscribeAfter, name);
    const ts = await notifier.post({ channel: ch.channelId, ...parent });
    const where = { slot, teamId: ch.teamId, channelId: ch.channelId };
    await recordAnnouncementPost(deps.db, { ...where, part: 0, ts });
    let part = 0;
    for (const list of restoreLists(mine, name)) {
      const listTs = await notifier.post({ channel: ch.channelId, threadTs: ts, ...list });
      await recordAnnouncementPost(deps.db, { ...where, part: ++part, ts: listTs });
    }
  }
}

/**
 * After a Restore, every recorded copy of the announcement it belongs to, in every channel
 * and workspace it was posted to, redrawn as that channel sees it now: the parent's counts and
 * the thread message listing the number (its Restore button gone). Returns the messages
 * redrawn, so the caller need not redraw the one clicked again.
 */
export async function redrawAnnouncements(
  deps: { db: Knex; config: Config; workspaces: WorkspaceDirectory; log?: Logger },
  id: number,
): Promise<Array<{ teamId: string | null; channelId: string; ts: string }>> {
  const rec = await getAutoUnsubscribe(deps.db, id);
  if (!rec?.slot) return [];
  const posts = await announcementPostsOf(deps.db, rec.slot);
  if (posts.length === 0) return [];
  const all = await autoUnsubscribesOfRun(deps.db, rec.slot);
  const names = await accountNames(deps.db, [...new Set(all.map((a) => a.accountId))]);
  const name = (x: string) => names.get(x) ?? x;
  const saved = await effectiveChannels(deps.db, deps.config);
  const done: Array<{ teamId: string | null; channelId: string; ts: string }> = [];
  const byChannel = new Map<string, typeof posts>();
  for (const p of posts) {
    const key = `${p.teamId ?? ''}/${p.channelId}`;
    byChannel.set(key, [...(byChannel.get(key) ?? []), p]);
  }
  for (const copies of byChannel.values()) {
    const { teamId, channelId } = copies[0]!;
    const settings = saved.find((c) => c.channelId === channelId && c.teamId === teamId);
    const accounts = await deps.workspaces.accountsOf({ teamId, accountId: settings?.accountId ?? null });
    const mine = all.filter((a) => sees(accounts, a.accountId));
    const index = mine.findIndex((a) => a.id === id);
    // a channel that no longer sees the number's account keeps its copy as it was
    if (index < 0) continue;
    const notifier = await deps.workspaces.notifierFor(teamId);
    if (!notifier) continue;
    const redraw = new Map<number, SlackMessage>([
      [0, autoUnsubscribeSummary(mine, deps.config.autoUnsubscribeAfter, name)],
      [1 + Math.floor(index / ROWS_PER_MESSAGE), restoreLists(mine, name)[Math.floor(index / ROWS_PER_MESSAGE)]!],
    ]);
    for (const copy of copies) {
      const msg = redraw.get(copy.part);
      if (!msg) continue;
      try {
        await notifier.update({ channel: channelId, ts: copy.ts, ...msg });
        done.push({ teamId, channelId, ts: copy.ts });
      } catch (err) {
        // one channel that refuses (archived, app removed) must not stop the others
        deps.log?.warn({ err, channel: channelId }, 'could not redraw an auto-unsubscribe announcement');
      }
    }
  }
  return done;
}

/**
 * The announcement of the run an auto-unsubscribe belongs to, as a channel scoped to
 * `accountId` sees it now: its parent (counts, restores included) and the thread message that
 * lists `id`. Used to redraw both after a Restore.
 */
export async function announcementAfterRestore(
  db: Knex,
  config: Config,
  id: number,
  accounts: AccountScope,
): Promise<{ parent: SlackMessage; row: SlackMessage | null } | null> {
  const rec = await getAutoUnsubscribe(db, id);
  if (!rec?.slot) return null;
  const all = await autoUnsubscribesOfRun(db, rec.slot);
  const mine = all.filter((a) => sees(accounts, a.accountId));
  const names = await accountNames(db, [...new Set(mine.map((a) => a.accountId))]);
  const name = (x: string) => names.get(x) ?? x;
  const index = mine.findIndex((a) => a.id === id);
  return {
    parent: autoUnsubscribeSummary(mine, config.autoUnsubscribeAfter, name),
    row: index < 0 ? null : (restoreLists(mine, name)[Math.floor(index / ROWS_PER_MESSAGE)] ?? null),
  };
}

export type RestoreResult = { ok: true; phone: string } | { ok: false; message: string };

/** Undoes an auto-unsubscribe; refuses anything else (a customer's STOP above all). */
export async function restoreAutoUnsubscribe(
  db: Knex,
  id: number,
  by: string,
  now: Date,
  accounts: AccountScope,
): Promise<RestoreResult> {
  const rec = await getAutoUnsubscribe(db, id);
  // one outside the clicking workspace's accounts is answered as one that does not exist
  if (!rec || !sees(accounts, rec.accountId)) return { ok: false, message: `There is no auto-unsubscribe ${id}.` };
  return inTransaction(db, async (trx) => {
    const sub = await trx('subscribers').first('subscribed', 'unsubscribe_reason').where({ id: rec.subscriberId });
    if (sub?.subscribed) return { ok: false as const, message: `${maskPhone(rec.phone)} is already subscribed.` };
    if (sub?.unsubscribe_reason !== 'auto') {
      return {
        ok: false as const,
        message: `${maskPhone(rec.phone)} can't be restored: the customer unsubscribed themselves (${sub?.unsubscribe_reason === 'stop' ? 'replied STOP' : sub?.unsubscribe_reason}) after the auto-unsubscribe.`,
      };
    }
    await trx('subscribers')
      .where({ id: rec.subscriberId, unsubscribe_reason: 'auto' })
      .update({ subscribed: true, unsubscribe_reason: null, fail_streak: 0, state_changed_at: toDbTime(now) });
    await trx('auto_unsubscribes')
      .where({ id })
      .update({ restored_at: toDbTime(now), restored_by: by });
    await appendSubscriptionEvents(
      trx,
      [
        {
          accountId: rec.accountId,
          phone: rec.phone,
          event: 'restored',
          reason: 'auto',
          at: now,
          source: 'slack',
          detail: { by },
        },
      ],
      now,
    );
    return { ok: true as const, phone: rec.phone };
  });
}

/** One number in a list of `at-risk` or `unsubscribed`, before masking. */
export interface NumberRow {
  phone: string;
  carrier: string | null;
  accountName: string;
}

export interface AtRisk {
  band: { min: number; max: number };
  threshold: number;
  numbers: Array<NumberRow & { failStreak: number }>;
}

/** `at-risk`: numbers in the at-risk band (at most 60). */
export async function atRiskList(db: Knex, config: Config, accounts: AccountScope): Promise<AtRisk> {
  const t = config.autoUnsubscribeAfter;
  const band = atRiskBand(t);
  const list = await atRiskSubscribers(db, band.min, band.max, accounts, 60);
  const names = await accountNames(db, [...new Set(list.map((x) => x.accountId))]);
  return {
    band,
    threshold: t,
    numbers: list.map((x) => ({
      phone: x.phone,
      carrier: x.carrier,
      accountName: names.get(x.accountId) ?? x.accountId,
      failStreak: x.failStreak,
    })),
  };
}

export type Unsubscribed =
  | { type: 'bad-period'; message: string }
  | {
      type: 'list';
      label: string;
      zone: string;
      numbers: Array<NumberRow & { restoredBy: string | null; failedCampaigns: number }>;
    };

/** `unsubscribed [period]`: numbers auto-unsubscribed in the period, with restores. */
export async function unsubscribedList(
  db: Knex,
  accounts: AccountScope,
  periodWord: string | null,
  zone: string,
  now: Date,
): Promise<Unsubscribed> {
  const p = resolvePeriod(periodWord ?? '7d', zone, now);
  if (isPeriodError(p)) return { type: 'bad-period', message: p.message };
  const list = await autoUnsubscribesBetween(db, p.start, p.end, accounts);
  const names = await accountNames(db, [...new Set(list.map((x) => x.accountId))]);
  return {
    type: 'list',
    label: p.label,
    zone,
    numbers: list.map((x) => ({
      phone: x.phone,
      carrier: x.carrier,
      accountName: names.get(x.accountId) ?? x.accountId,
      restoredBy: x.restoredAt ? (x.restoredBy ?? '') : null,
      failedCampaigns: x.campaigns.length,
    })),
  };
}

/** Which of these messages failed in a carrier incident (their campaign, carrier and type). */
async function incidentsOf(deps: Pick<UnsubDeps, 'db' | 'config'>, messages: readonly SentToNumber[]) {
  const failed = messages.filter((m) => FAILURE_STATUSES.has(m.status));
  const outcomes = await campaignCarrierOutcomes(deps.db, [...new Set(failed.map((m) => m.campaignId))]);
  const rule = deps.config.carrierIncident;
  return (m: SentToNumber) => {
    const o = outcomes.get(incidentKey(m.campaignId, m.carrier ?? '', m.type ?? ''));
    return o !== undefined && isCarrierIncident(o, rule);
  };
}

/**
 * `campaign-stats auto-unsubscribes review`: the auto-unsubscribes still in force that the rule
 * as it stands would not have made (the number's failures up to that day, judged again), and
 * with `apply`, their restore through the same path as the Restore button — a STOP since is
 * never undone.
 */
export async function reviewAutoUnsubscribes(
  deps: Pick<UnsubDeps, 'db' | 'config'>,
  opts: { apply: boolean; now: Date; by: string; accounts: AccountScope },
): Promise<
  Array<{ id: number; phone: string; accountId: string; streak: number; restored: boolean | null; why?: string }>
> {
  const threshold = deps.config.autoUnsubscribeAfter;
  const live = (await deps.db('auto_unsubscribes').select('id').whereNull('restored_at').orderBy('id')).map(
    (r: { id: unknown }) => Number(r.id),
  );
  const out: Array<{
    id: number;
    phone: string;
    accountId: string;
    streak: number;
    restored: boolean | null;
    why?: string;
  }> = [];
  for (const id of live) {
    const rec = (await getAutoUnsubscribe(deps.db, id))!;
    const settledBefore = new Date(rec.at.getTime() - SETTLE_HOURS * 3600_000);
    const msgs =
      (await recentMessages(deps.db, [rec.subscriberId], settledBefore, threshold)).get(rec.subscriberId) ?? [];
    const run = failedRun(msgs, threshold, await incidentsOf(deps, msgs));
    if (verdict(run.streak, threshold) === 'unsubscribe') continue;
    if (!opts.apply) {
      out.push({ id, phone: rec.phone, accountId: rec.accountId, streak: run.streak, restored: null });
      continue;
    }
    const r = await restoreAutoUnsubscribe(deps.db, id, opts.by, opts.now, opts.accounts);
    out.push({
      id,
      phone: rec.phone,
      accountId: rec.accountId,
      streak: run.streak,
      restored: r.ok,
      ...(r.ok ? {} : { why: r.message }),
    });
  }
  return out;
}
