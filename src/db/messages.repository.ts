import type { Knex } from 'knex';
import type { SegmentsSource } from '../domain/message-state';
import type { Status } from '../domain/status';
import { fromDbTime, locking, toDbTime } from './dialect';
import { accountFilter, type AccountScope } from '../domain/account-scope';
import type { StoredStatus } from '../domain/message-state';

export interface MessageRow {
  id: number;
  providerMessageId: string;
  accountId: string;
  campaignId: string;
  subscriberId: number;
  type: 'sms' | 'mms';
  carrier: string;
  segments: number;
  segmentsSource: SegmentsSource;
  status: StoredStatus;
  errorCode: number | null;
  attempted: boolean;
  sentAt: Date;
}

export type NewMessage = Omit<MessageRow, 'id'>;

export interface StoredCallback {
  providerMessageId: string;
  /** the provider's own word (`canceled` takes a message out of every count) */
  providerStatus?: string;
  mappedStatus: Status | null;
  errorCode: number | null;
  numSegments: number | null;
}

function toMessage(r: Record<string, unknown>): MessageRow {
  return {
    id: Number(r.id),
    providerMessageId: r.provider_message_id as string,
    accountId: r.account_id as string,
    campaignId: r.campaign_id as string,
    subscriberId: Number(r.subscriber_id),
    type: r.type as 'sms' | 'mms',
    carrier: r.carrier as string,
    segments: Number(r.segments),
    segmentsSource: r.segments_source as SegmentsSource,
    status: r.status as Status,
    errorCode: r.error_code === null ? null : Number(r.error_code),
    attempted: Boolean(r.attempted),
    sentAt: fromDbTime(r.sent_at),
  };
}

/** Messages by provider id, locked for update, in provider-id order. */
export async function findMessagesForUpdate(
  trx: Knex.Transaction,
  providerIds: string[],
): Promise<Map<string, MessageRow>> {
  const out = new Map<string, MessageRow>();
  const sorted = [...new Set(providerIds)].sort();
  for (let i = 0; i < sorted.length; i += 500) {
    const rows = await locking(
      trx,
      trx('messages')
        .select('*')
        .whereIn('provider_message_id', sorted.slice(i, i + 500))
        .orderBy('provider_message_id'),
      'update',
    );
    for (const r of rows) out.set(r.provider_message_id, toMessage(r));
  }
  return out;
}

export async function insertMessages(trx: Knex.Transaction, messages: NewMessage[], now: Date): Promise<void> {
  const rows = messages.map((m) => ({
    provider_message_id: m.providerMessageId,
    account_id: m.accountId,
    campaign_id: m.campaignId,
    subscriber_id: m.subscriberId,
    type: m.type,
    carrier: m.carrier,
    segments: m.segments,
    segments_source: m.segmentsSource,
    status: m.status,
    error_code: m.errorCode,
    attempted: m.attempted,
    sent_at: toDbTime(m.sentAt),
    status_changed_at: toDbTime(now),
    created_at: toDbTime(now),
  }));
  for (let i = 0; i < rows.length; i += 500) await trx('messages').insert(rows.slice(i, i + 500));
}

export interface StateChange {
  id: number;
  status: StoredStatus;
  errorCode: number | null;
  segments: number;
  segmentsSource: SegmentsSource;
}

/** Writes new states for many messages in one statement per 500 (one round trip, not one per message). */
export async function updateMessageStates(trx: Knex.Transaction, changes: StateChange[], now: Date): Promise<void> {
  const sorted = [...changes].sort((a, b) => a.id - b.id);
  for (let i = 0; i < sorted.length; i += 500) {
    const chunk = sorted.slice(i, i + 500);
    const cases = (col: (c: StateChange) => Knex.Value) => {
      const bindings: Knex.Value[] = [];
      const sql = chunk.map((c) => {
        bindings.push(c.id, col(c));
        return 'WHEN ? THEN ?';
      });
      return trx.raw(`CASE ?? ${sql.join(' ')} END`, ['id', ...bindings]);
    };
    await trx('messages')
      .whereIn(
        'id',
        chunk.map((c) => c.id),
      )
      .update({
        status: cases((c) => c.status),
        error_code: cases((c) => c.errorCode),
        segments: cases((c) => c.segments),
        segments_source: cases((c) => c.segmentsSource),
        status_changed_at: toDbTime(now),
      });
  }
}

/** Callbacks already received for these provider ids (read with a lock, see ingest.service). */
export async function findCallbacks(
  trx: Knex.Transaction,
  providerIds: string[],
): Promise<Map<string, StoredCallback[]>> {
  const out = new Map<string, StoredCallback[]>();
  const sorted = [...new Set(providerIds)].sort();
  for (let i = 0; i < sorted.length; i += 500) {
    const rows = await locking(
      trx,
      trx('status_callbacks')
        .select('provider_message_id', 'provider_status', 'mapped_status', 'error_code', 'num_segments')
        .whereIn('provider_message_id', sorted.slice(i, i + 500))
        .orderBy('id'),
      'share',
    );
    for (const r of rows) {
      const list = out.get(r.provider_message_id) ?? [];
      list.push({
        providerMessageId: r.provider_message_id,
        providerStatus: r.provider_status,
        mappedStatus: r.mapped_status,
        errorCode: r.error_code === null ? null : Number(r.error_code),
        numSegments: r.num_segments === null ? null : Number(r.num_segments),
      });
      out.set(r.provider_message_id, list);
    }
  }
  return out;
}

export interface NewCallback extends StoredCallback {
  provider: string;
  providerStatus: string;
  payload: string;
  receivedAt: Date;
}

export async function insertCallbacks(trx: Knex.Transaction, callbacks: NewCallback[]): Promise<void> {
  const rows = callbacks.map((c) => ({
    provider: c.provider,
    provider_message_id: c.providerMessageId,
    provider_status: c.providerStatus.slice(0, 24),
    error_code: c.errorCode,
    mapped_status: c.mappedStatus,
    num_segments: c.numSegments,
    payload: c.payload,
    received_at: toDbTime(c.receivedAt),
  }));
  for (let i = 0; i < rows.length; i += 500) await trx('status_callbacks').insert(rows.slice(i, i + 500));
}

/** The send time of the latest message of the accounts in scope sent before `before`, or null. */
export async function lastSendBefore(db: Knex, before: Date, accounts: AccountScope): Promise<Date | null> {
  const ids = accountFilter(accounts);
  const q = db('messages').max({ at: 'sent_at' }).where('sent_at', '<', toDbTime(before));
  if (ids) q.whereIn('account_id', [...ids]);
  const r = await q.first();
  return r?.at ? fromDbTime(r.at) : null;
}
