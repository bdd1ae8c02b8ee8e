import type { Knex } from 'knex';
import { isDuplicateKey, toDbTime } from '../db/dialect';

/**
 * Claims a (job, slot): the insert succeeds for exactly one instance; the others see the
 * primary key taken and skip. Returns true when this instance owns the run.
 */
export async function claimRun(
  db: Knex,
  job: string,
  slot: string,
  instance: string,
  now: Date,
  status: 'running' | 'skipped' = 'running',
  detail?: string,
): Promise<boolean> {
  try {
    await db('job_runs').insert({
      job,
      slot,
      status,
      claimed_by: instance,
      claimed_at: toDbTime(now),
      finished_at: status === 'skipped' ? toDbTime(now) : null,
      detail: detail ?? null,
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false; // another instance owns this slot
    throw err;
  }
}

/**
 * Takes over a run another instance claimed but never finished (it died mid-run): allowed
 * once the claim is older than `staleBefore`. Conditional, so only one instance takes it over.
 */
export async function reclaimStaleRun(
  db: Knex,
  job: string,
  slot: string,
  instance: string,
  now: Date,
  staleBefore: Date,
): Promise<boolean> {
  const n = await db('job_runs')
    .where({ job, slot, status: 'running' })
    .andWhere('claimed_at', '<', toDbTime(staleBefore))
    .update({
      claimed_by: instance,
      claimed_at: toDbTime(now),
      detail: 'reclaimed: the instance that claimed it did not finish',
    });
  return n > 0;
}

export async function finishRun(
  db: Knex,
  job: string,
  slot: string,
  status: 'done' | 'failed',
  now: Date,
  detail?: unknown,
): Promise<void> {
  await db('job_runs')
    .where({ job, slot })
    .update({
      status,
      finished_at: toDbTime(now),
      detail: detail === undefined ? null : JSON.stringify(detail).slice(0, 60000),
    });
}

export async function listRuns(
  db: Knex,
  job?: string,
): Promise<Array<{ job: string; slot: string; status: string; claimedBy: string }>> {
  const q = db('job_runs').select('job', 'slot', 'status', 'claimed_by').orderBy(['job', 'slot']);
  if (job) q.where({ job });
  return (await q).map((r) => ({ job: r.job, slot: r.slot, status: r.status, claimedBy: r.claimed_by }));
}

/** The last slot of a job that finished, for incremental jobs (e.g. auto-unsubscribe's watermark). */
export async function lastDoneRun(db: Knex, job: string): Promise<{ slot: string; claimedAt: unknown } | null> {
  const r = await db('job_runs')
    .first('slot', 'claimed_at')
    .where({ job, status: 'done' })
    .orderBy('claimed_at', 'desc');
  return r ? { slot: r.slot, claimedAt: r.claimed_at } : null;
}
