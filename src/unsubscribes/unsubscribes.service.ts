import type { KnownBlock } from '@slack/types';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { inTransaction, toDbTime } from '../db/dialect';
import { appendSubscriptionEvents } from '../db/subscriptions.repository';
import { failedRun, verdict } from '../domain/auto-unsubscribe';
import type { Logger } from '../logger';
import { effectiveChannels } from '../settings/channels';
import { escapeMrkdwn, fmtInt, maskPhone } from '../slack/blocks/mrkdwn';
import type { Notifier } from '../slack/notifier';
import type { SlackMessage } from '../slack/blocks/stats.blocks';
import {
  autoUnsubscribesOfRun,
  candidateSubscribers,
  getAutoUnsubscribe,
  getSubscribers,
  insertAutoUnsubscribe,
  recentMessages,
  setFailStreaks,
  type AutoUnsubscribe,
} from './unsubscribes.repository';

/** Receipts are treated as settled a day after sending (most arrive within minutes; MMS rarely at all). */
export const SETTLE_HOURS = 24;
export const RESTORE_ACTION = 'unsub_restore';
/** numbers examined per round trip */
const CHUNK = 5000;

export interface UnsubDeps {
  db: Knex;
  config: Config;
  notifier: Notifier | null;
  log: Logger;
}

/**
 * The auto-unsubscribe job (DESIGN §3), incremental: it looks only at numbers with a message
 * that settled or changed status since its last run, recomputes their run of failed
 * campaigns, records the streak (for "at risk"), and unsubscribes those at the threshold.
 */
export async function runAutoUnsubscribe(deps: UnsubDeps, slot: string, now: Date, since: { at: Date; settledBefore: Date } | null) {
  const threshold = deps.config.autoUnsubscribeAfter;
  const settledBefore = new Date(now.getTime() - SETTLE_HOURS * 3600_000);
  const ids = (await candidateSubscribers(deps.db, since, settledBefore)).sort((a, b) => a - b);
  let unsubscribed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const [msgs, subs] = await Promise.all([recentMessages(deps.db, chunk, settledBefore, threshold), getSubscribers(deps.db, chunk)]);
    const streaks: Array<{ id: number; streak: number }> = [];
    for (const s of subs) {
      const run = failedRun(msgs.get(s.id) ?? [], threshold);
      if (run.streak !== s.failStreak) streaks.push({ id: s.id, streak: run.streak });
      if (verdict(run.streak, threshold) !== 'unsubscribe' || !s.subscribed) continue;
      const done = await inTransaction(deps.db, async (trx) => {
        const n = await trx('subscribers').where({ id: s.id, subscribed: true }).update({ subscribed: false, unsubscribe_reason: 'auto', state_changed_at: toDbTime(now) });
        if (n === 0) return false;
        await insertAutoUnsubscribe(trx, { subscriberId: s.id, accountId: s.accountId, phone: s.phone, carrier: s.carrier, at: now, campaigns: run.campaigns }, slot);
        await appendSubscriptionEvents(trx, [{ accountId: s.accountId, phone: s.phone, event: 'unsubscribed', reason: 'auto', at: now, source: 'auto-unsubscribe', detail: { campaigns: run.campaigns } }], now);
        return true;
      });
      if (done) unsubscribed++;
    }
    await setFailStreaks(deps.db, streaks);
  }
  if (unsubscribed > 0 && deps.notifier) await announce(deps, slot);
  return { examined: ids.length, unsubscribed, settledBefore: settledBefore.toISOString(), at: now.toISOString() };
}

/** One alert per run: how many, by carrier and account; the numbers (masked) with Restore in the thread. */
async function announce(deps: UnsubDeps, slot: string): Promise<void> {
  const all = await autoUnsubscribesOfRun(deps.db, slot);
  const channels = (await effectiveChannels(deps.db, deps.config)).filter((c) => c.alertsEnabled);
  for (const ch of channels) {
    const mine = ch.accountId ? all.filter((a) => a.accountId === ch.accountId) : all;
    if (mine.length === 0) continue;
    const parent = autoUnsubscribeSummary(mine, deps.config.autoUnsubscribeAfter);
    const ts = await deps.notifier!.post({ channel: ch.channelId, ...parent });
    for (const part of restoreLists(mine)) await deps.notifier!.post({ channel: ch.channelId, threadTs: ts, ...part });
  }
}

function tally(list: AutoUnsubscribe[], key: (a: AutoUnsubscribe) => string): string {
  const m = new Map<string, number>();
  for (const a of list) m.set(key(a), (m.get(key(a)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${escapeMrkdwn(k)} ${fmtInt(n)}`).join(' · ');
}

export function autoUnsubscribeSummary(list: AutoUnsubscribe[], threshold: number): SlackMessage {
  const n = list.length;
  return {
    text: `${fmtInt(n)} number${n === 1 ? ' was' : 's were'} auto-unsubscribed after ${threshold} failed campaigns in a row.`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${fmtInt(n)} number${n === 1 ? '' : 's'} auto-unsubscribed` } },
      { type: 'section', text: { type: 'mrkdwn', text: `Each failed ${threshold} campaigns in a row; they get no more messages until restored.\n*By carrier:* ${tally(list, (a) => a.carrier ?? 'Unknown')}\n*By account:* ${tally(list, (a) => a.accountId)}`.slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'The numbers are in the thread, each with a Restore button. Restore undoes an auto-unsubscribe only, never a customer’s STOP.' }] },
    ],
  };
}

/** Thread messages listing the numbers, 40 to a message (Slack allows 50 blocks). */
export function restoreLists(list: AutoUnsubscribe[]): SlackMessage[] {
  const out: SlackMessage[] = [];
  for (let i = 0; i < list.length; i += 40) {
    const chunk = list.slice(i, i + 40);
    const blocks: KnownBlock[] = chunk.map((a) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `${maskPhone(a.phone)} · ${escapeMrkdwn(a.carrier ?? 'Unknown')} · ${escapeMrkdwn(a.accountId)} · ${a.campaigns.length} failed campaigns` },
      accessory: { type: 'button', action_id: RESTORE_ACTION, text: { type: 'plain_text', text: 'Restore' }, value: String(a.id) },
    }));
    out.push({ text: `Auto-unsubscribed numbers ${i + 1}–${i + chunk.length} of ${list.length}`, blocks });
  }
  return out;
}

export type RestoreResult = { ok: true; phone: string } | { ok: false; message: string };

/** Undoes an auto-unsubscribe; refuses anything else (a customer's STOP above all). */
export async function restoreAutoUnsubscribe(db: Knex, id: number, by: string, now: Date): Promise<RestoreResult> {
  const rec = await getAutoUnsubscribe(db, id);
  if (!rec) return { ok: false, message: `There is no auto-unsubscribe ${id}.` };
  return inTransaction(db, async (trx) => {
    const sub = await trx('subscribers').first('subscribed', 'unsubscribe_reason').where({ id: rec.subscriberId });
    if (sub?.subscribed) return { ok: false as const, message: `${maskPhone(rec.phone)} is already subscribed.` };
    if (sub?.unsubscribe_reason !== 'auto') {
      return { ok: false as const, message: `${maskPhone(rec.phone)} can't be restored: the customer unsubscribed themselves (${sub?.unsubscribe_reason === 'stop' ? 'replied STOP' : sub?.unsubscribe_reason}) after the auto-unsubscribe.` };
    }
    await trx('subscribers').where({ id: rec.subscriberId, unsubscribe_reason: 'auto' }).update({ subscribed: true, unsubscribe_reason: null, fail_streak: 0, state_changed_at: toDbTime(now) });
    await trx('auto_unsubscribes').where({ id }).update({ restored_at: toDbTime(now), restored_by: by });
    await appendSubscriptionEvents(trx, [{ accountId: rec.accountId, phone: rec.phone, event: 'restored', reason: 'auto', at: now, source: 'slack', detail: { by } }], now);
    return { ok: true as const, phone: rec.phone };
  });
}
