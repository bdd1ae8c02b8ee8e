import type { Knex } from 'knex';
import { applyReports, sameState, type MessageState, type Report, type SegmentsSource } from '../domain/message-state';
import { resolveSegments } from '../domain/segments';
import { wasAttempted } from '../domain/status';
import { CountDeltas, countKeyOf } from '../db/counts.repository';
import { inTransaction } from '../db/dialect';
import {
  ensureAccounts,
  ensureCampaigns,
  ensureSubscribers,
  findCampaigns,
  subscriberKey,
} from '../db/directory.repository';
import {
  findCallbacks,
  findMessagesForUpdate,
  insertCallbacks,
  insertMessages,
  updateMessageStates,
  type StateChange,
  type NewCallback,
  type NewMessage,
} from '../db/messages.repository';
import type { FieldError, MessageRecord } from './schemas';

export interface IngestSummary {
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export type IngestResult = { ok: true; summary: IngestSummary } | { ok: false; errors: FieldError[] };

const countKey = countKeyOf;

export function toReport(cb: {
  providerStatus?: string;
  mappedStatus: Report['status'];
  errorCode: number | null;
  numSegments: number | null;
}): Report {
  return {
    status: cb.mappedStatus,
    errorCode: cb.errorCode,
    numSegments: cb.numSegments,
    ...(cb.providerStatus?.toLowerCase() === 'canceled' ? { canceled: true } : {}),
  };
}

/**
 * Stores a batch of sent-message records, all or nothing, within `trx`. Records for
 * messages already stored only move their status forward (a re-sent batch changes nothing);
 * callbacks that arrived before their message are applied now.
 */
export async function ingestMessagesInTrx(
  trx: Knex.Transaction,
  records: readonly MessageRecord[],
  opts: { now: Date; mmsSegments: number; pathPrefix?: (index: number) => string },
): Promise<IngestResult> {
  const prefix = opts.pathPrefix ?? ((i: number) => `messages[${i}]`);
  const { now } = opts;
  const errors: FieldError[] = [];

  // A campaign belongs to one account, across batches and within one.
  const campaignIds = [...new Set(records.map((r) => r.campaign_id))];
  const known = await findCampaigns(trx, campaignIds);
  const owner = new Map<string, string>([...known.values()].map((c) => [c.id, c.accountId]));
  records.forEach((r, i) => {
    const o = owner.get(r.campaign_id);
    if (o === undefined) owner.set(r.campaign_id, r.account_id);
    else if (o !== r.account_id) {
      errors.push({
        path: `${prefix(i)}.campaign_id`,
        message: `campaign ${r.campaign_id} belongs to account ${o}, not ${r.account_id}`,
      });
    }
  });
  if (errors.length) return { ok: false, errors };

  const accounts = new Map<string, string | null>();
  for (const r of records)
    if (!accounts.has(r.account_id) || r.account_name) accounts.set(r.account_id, r.account_name ?? null);
  await ensureAccounts(
    trx,
    [...accounts].map(([id, name]) => ({ id, name })),
    now,
  );
  const campaigns = new Map<string, { id: string; accountId: string; name: string | null }>();
  for (const r of records) {
    if (!campaigns.has(r.campaign_id) || r.campaign_name)
      campaigns.set(r.campaign_id, { id: r.campaign_id, accountId: r.account_id, name: r.campaign_name ?? null });
  }
  await ensureCampaigns(trx, [...campaigns.values()], now);
  // the owner as the database has it now, under a lock: a concurrent batch that created the
  // same campaign for another account first is seen here (after its commit) and refused
  const owned = await findCampaigns(trx, campaignIds, { lock: true });
  records.forEach((r, i) => {
    const o = owned.get(r.campaign_id)?.accountId;
    if (o !== undefined && o !== r.account_id) {
      errors.push({
        path: `${prefix(i)}.campaign_id`,
        message: `campaign ${r.campaign_id} belongs to account ${o}, not ${r.account_id}`,
      });
    }
  });
  if (errors.length) return { ok: false, errors };
  const subscribers = await ensureSubscribers(
    trx,
    records.map((r) => ({ accountId: r.account_id, phone: r.to, carrier: r.carrier || null })),
    now,
  );

  const ids = records.map((r) => r.provider_message_id);
  const existing = await findMessagesForUpdate(trx, ids);
  const pending = await findCallbacks(
    trx,
    ids.filter((id) => !existing.has(id)),
  );
  const deltas = new CountDeltas();
  const changes: StateChange[] = [];
  const fresh = new Map<string, NewMessage>();
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;

  for (const r of records) {
    const senderReport: Report = { status: r.status, errorCode: r.error_code ?? null, numSegments: null };
    const stored = existing.get(r.provider_message_id);
    if (stored) {
      const next = applyReports(stored, [senderReport]);
      if (sameState(stored, next)) unchanged++;
      else {
        changes.push({ id: stored.id, ...next });
        deltas.move(
          { ...countKey(stored), segments: stored.segments },
          { ...countKey({ ...stored, ...next }), segments: next.segments },
          stored.providerMessageId,
        );
        existing.set(r.provider_message_id, { ...stored, ...next });
        updated++;
      }
      continue;
    }
    const already = fresh.get(r.provider_message_id);
    if (already) {
      // the same message twice in one batch: the later record can only move it forward
      Object.assign(already, applyReports(already, [senderReport]));
      unchanged++;
      continue;
    }
    const segmentsSource: SegmentsSource = r.segments ? 'sender' : r.type === 'mms' ? 'default' : 'body';
    const initial: MessageState = {
      status: r.status,
      errorCode: r.error_code ?? null,
      segments: resolveSegments({ type: r.type, segments: r.segments, body: r.body, mmsSegments: opts.mmsSegments }),
      segmentsSource,
    };
    const state = applyReports(initial, (pending.get(r.provider_message_id) ?? []).map(toReport));
    fresh.set(r.provider_message_id, {
      providerMessageId: r.provider_message_id,
      accountId: r.account_id,
      campaignId: r.campaign_id,
      subscriberId: subscribers.get(subscriberKey(r.account_id, r.to))!,
      type: r.type,
      carrier: r.carrier ?? '',
      ...state,
      attempted: wasAttempted(r.status, r.error_code ?? null),
      sentAt: new Date(r.sent_at),
    });
    inserted++;
  }
  const newMessages = [...fresh.values()];
  for (const m of newMessages) deltas.add(countKey(m), m.segments, 1, m.providerMessageId);
  await insertMessages(trx, newMessages, now);
  await updateMessageStates(trx, dedupeChanges(changes), now);
  await deltas.apply(trx);
  return { ok: true, summary: { received: records.length, inserted, updated, unchanged } };
}

export async function ingestMessages(
  db: Knex,
  records: readonly MessageRecord[],
  opts: { now: Date; mmsSegments: number },
): Promise<IngestResult> {
  return inTransaction(db, async (trx) => {
    const result = await ingestMessagesInTrx(trx, records, opts);
    if (!result.ok) throw new ValidationRollback(result.errors); // rolls back everything
    return result;
  }).catch((err: unknown) => {
    if (err instanceof ValidationRollback) return { ok: false as const, errors: err.errors };
    throw err;
  });
}

/** A message re-sent twice in one batch changes twice: only its last state is written. */
function dedupeChanges(changes: StateChange[]): StateChange[] {
  return [...new Map(changes.map((c) => [c.id, c])).values()];
}

class ValidationRollback extends Error {
  constructor(readonly errors: FieldError[]) {
    super('validation failed');
  }
}

export interface CallbackInput {
  provider: string;
  providerMessageId: string;
  providerStatus: string;
  mappedStatus: Report['status'];
  errorCode: number | null;
  numSegments: number | null;
  payload: string;
  receivedAt: Date;
}

export interface CallbackSummary {
  stored: number;
  applied: number;
  waitingForMessage: number;
}

/**
 * Stores raw callbacks (always) and moves their messages' statuses, in one transaction.
 * Callbacks for messages not stored yet wait in status_callbacks for their message.
 */
export async function applyCallbacksInTrx(
  trx: Knex.Transaction,
  callbacks: readonly CallbackInput[],
  now: Date,
): Promise<CallbackSummary> {
  const messages = await findMessagesForUpdate(
    trx,
    callbacks.map((c) => c.providerMessageId),
  );
  await insertCallbacks(trx, callbacks as NewCallback[]);
  const byMessage = new Map<string, Report[]>();
  let waiting = 0;
  for (const c of callbacks) {
    if (!messages.has(c.providerMessageId)) {
      waiting++;
      continue;
    }
    const list = byMessage.get(c.providerMessageId) ?? [];
    list.push(toReport(c));
    byMessage.set(c.providerMessageId, list);
  }
  const deltas = new CountDeltas();
  const changes: StateChange[] = [];
  for (const [pmid, reports] of byMessage) {
    const stored = messages.get(pmid)!;
    const next = applyReports(stored, reports);
    if (sameState(stored, next)) continue;
    changes.push({ id: stored.id, ...next });
    deltas.move(
      { ...countKey(stored), segments: stored.segments },
      { ...countKey({ ...stored, ...next }), segments: next.segments },
      pmid,
    );
  }
  await updateMessageStates(trx, changes, now);
  await deltas.apply(trx);
  return { stored: callbacks.length, applied: callbacks.length - waiting, waitingForMessage: waiting };
}

export async function applyCallbacks(
  db: Knex,
  callbacks: readonly CallbackInput[],
  now: Date,
): Promise<CallbackSummary> {
  return inTransaction(db, (trx) => applyCallbacksInTrx(trx, callbacks, now));
}
