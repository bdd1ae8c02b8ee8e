import type { Knex } from 'knex';
import { applyReports, sameState } from '../domain/message-state';
import { mapProviderStatus, mergeStatus, type Status } from '../domain/status';
import { CountDeltas, countKeyOf } from '../db/counts.repository';
import { inTransaction } from '../db/dialect';
import { findCallbacks, findMessagesForUpdate, updateMessageStates, type StateChange } from '../db/messages.repository';
import { toReport } from './ingest.service';

/**
 * Re-mapping stored callbacks (`campaign-stats remap`). Every provider callback is kept raw
 * (`status_callbacks`) with the status it was mapped to when it came. When the mapping changes
 * (30002, the sending account suspended, once Failed, now Ignored), the messages those
 * callbacks moved keep their old status. This finds the callbacks the mapping of today would
 * map otherwise and moves their messages through the same path as a callback (state, every
 * count grain, in one transaction per batch).
 *
 * A status is the highest ever reported (ADR 2), so a mapping that now ranks higher is applied
 * on top of the message's state exactly. One that ranks lower cannot be: the status a message
 * was sent with is not kept apart from what its callbacks made of it. Those are reported, not
 * applied.
 */
export interface StaleMapping {
  providerStatus: string;
  errorCode: number | null;
  was: Status | null;
  now: Status | null;
  callbacks: number;
  /** the mapping of today ranks higher: applied on top of the message's state */
  raises: boolean;
}

export interface RemapResult {
  mappings: StaleMapping[];
  /** messages moved (or, without apply, that would move), by "from → to" */
  moves: Map<string, number>;
  messages: number;
}

const mapped = (providerStatus: string, errorCode: number | null): Status | null =>
  mapProviderStatus(providerStatus, errorCode) ?? null;

/** Narrows a status_callbacks query to one (provider status, error code) pair. */
function ofPair(q: Knex.QueryBuilder, m: Pick<StaleMapping, 'providerStatus' | 'errorCode'>): Knex.QueryBuilder {
  q.where('provider_status', m.providerStatus);
  return m.errorCode === null ? q.whereNull('error_code') : q.where('error_code', m.errorCode);
}

/** The (status, error code) pairs stored with another mapping than today's, and how many callbacks each. */
export async function staleMappings(db: Knex): Promise<StaleMapping[]> {
  const rows = await db('status_callbacks')
    .select('provider_status', 'error_code', 'mapped_status')
    .count({ n: '*' })
    .groupBy('provider_status', 'error_code', 'mapped_status');
  const out: StaleMapping[] = [];
  for (const r of rows as Array<Record<string, unknown>>) {
    const errorCode = r.error_code === null ? null : Number(r.error_code);
    const was = (r.mapped_status as Status | null) ?? null;
    const now = mapped(String(r.provider_status), errorCode);
    if (now === was) continue;
    out.push({
      providerStatus: String(r.provider_status),
      errorCode,
      was,
      now,
      callbacks: Number(r.n),
      raises: now !== null && (was === null || mergeStatus(was, now) === now),
    });
  }
  return out.sort(
    (a, b) => a.providerStatus.localeCompare(b.providerStatus) || (a.errorCode ?? -1) - (b.errorCode ?? -1),
  );
}

export async function remapCallbacks(
  db: Knex,
  now: Date,
  opts: { apply: boolean; batch?: number },
): Promise<RemapResult> {
  const mappings = await staleMappings(db);
  const raising = mappings.filter((m) => m.raises);
  const moves = new Map<string, number>();
  const seen = new Set<string>();
  const stale = (ps: string, ec: number | null) => raising.some((m) => m.providerStatus === ps && m.errorCode === ec);
  const batch = opts.batch ?? 500;
  let after = 0;
  while (raising.length) {
    const rows: Array<{ id: number; provider_message_id: string }> = await db('status_callbacks')
      .select('id', 'provider_message_id')
      .where('id', '>', after)
      .andWhere((w) => {
        for (const m of raising) w.orWhere((x) => ofPair(x, m));
      })
      .orderBy('id')
      .limit(batch);
    if (!rows.length) break;
    after = Number(rows.at(-1)!.id);
    const ids = [...new Set(rows.map((r) => r.provider_message_id))].filter((id) => !seen.has(id));
    if (!ids.length) continue;
    await inTransaction(db, async (trx) => {
      const messages = await findMessagesForUpdate(trx, ids);
      const callbacks = await findCallbacks(trx, ids);
      const deltas = new CountDeltas();
      const changes: StateChange[] = [];
      for (const [pmid, stored] of messages) {
        seen.add(pmid);
        const reports = (callbacks.get(pmid) ?? [])
          .filter((c) => stale(c.providerStatus ?? '', c.errorCode))
          .map((c) => toReport({ ...c, mappedStatus: mapped(c.providerStatus ?? '', c.errorCode) }));
        const next = applyReports(stored, reports);
        if (sameState(stored, next)) continue;
        const move = `${stored.status} → ${next.status}`;
        moves.set(move, (moves.get(move) ?? 0) + 1);
        changes.push({ id: stored.id, ...next });
        deltas.move(
          { ...countKeyOf(stored), segments: stored.segments },
          { ...countKeyOf({ ...stored, ...next }), segments: next.segments },
          pmid,
        );
      }
      if (!opts.apply) return;
      await updateMessageStates(trx, changes, now);
      await deltas.apply(trx);
      // the stored mapping becomes today's, so a callback still waiting for its message maps right
      for (const m of raising) {
        const q = trx('status_callbacks')
          .whereIn('provider_message_id', ids)
          .andWhere('provider_status', m.providerStatus);
        if (m.errorCode === null) q.whereNull('error_code');
        else q.where('error_code', m.errorCode);
        await q.update({ mapped_status: m.now });
      }
    });
  }
  // callbacks whose message has not come yet are re-mapped too (they apply when it comes)
  if (opts.apply)
    for (const m of raising) {
      const q = ofPair(db('status_callbacks'), m);
      await (m.was === null ? q.whereNull('mapped_status') : q.where('mapped_status', m.was)).update({
        mapped_status: m.now,
      });
    }
  return { mappings, moves, messages: [...moves.values()].reduce((a, n) => a + n, 0) };
}
