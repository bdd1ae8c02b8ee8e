import crypto from 'node:crypto';
import os from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { fromDbTime } from '../db/dialect';
import { claimRun, finishRun, reclaimStaleRun } from './run-ledger.repository';

/** A run still `running` this long after its claim belonged to an instance that died. */
export const STALE_RUN_MINUTES = 30;

/**
 * A job is a named handler run for slots. `slotsDue(now)` says which slots are due at `now`
 * (for a digest: each channel whose local time has passed its digest time today); each slot
 * is claimed in the run ledger before it runs, so with any number of instances it runs once.
 * A slot found too late (past `graceMinutes`) is recorded as skipped, not run.
 */
export interface JobDefinition {
  name: string;
  /** node-cron expression for when to look for due slots (seconds field allowed) */
  cron: string;
  /** zone the cron expression is read in */
  timezone: string;
  slotsDue: (now: Date) => Promise<Array<{ slot: string; dueAt: Date; context?: unknown }>>;
  run: (slot: string, now: Date, context: unknown) => Promise<unknown>;
  graceMinutes: number;
}

export class Scheduler {
  readonly instance = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Knex,
    private readonly jobs: readonly JobDefinition[],
    private readonly clock: Clock,
    private readonly log: Logger,
    /** told of every run's outcome (metrics) */
    private readonly onOutcome: (job: string, outcome: 'done' | 'failed' | 'skipped') => void = () => undefined,
  ) {}

  /** Looks for due slots of one job now and runs those this instance claims. Never overlaps itself. */
  async tick(name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job called ${name}`);
    const current = this.running.get(name);
    if (current) return current; // a run is still going: this tick joins it instead of overlapping
    const p = this.runDue(job).finally(() => this.running.delete(name));
    this.running.set(name, p);
    return p;
  }

  async tickAll(): Promise<void> {
    for (const j of this.jobs) await this.tick(j.name);
  }

  private async runDue(job: JobDefinition): Promise<void> {
    const now = this.clock.now();
    const dueSlots = await job.slotsDue(now);
    const claimed = dueSlots.length
      ? ((await this.db('job_runs')
          .select('slot', 'status', 'claimed_at')
          .where({ job: job.name })
          .whereIn(
            'slot',
            dueSlots.map((d) => d.slot),
          )) as Array<{ slot: string; status: string; claimed_at: unknown }>)
      : [];
    const staleBefore = new Date(now.getTime() - STALE_RUN_MINUTES * 60_000);
    const stale = new Set(
      claimed.filter((r) => r.status === 'running' && fromDbTime(r.claimed_at) < staleBefore).map((r) => r.slot),
    );
    const taken = new Set(claimed.filter((r) => !stale.has(r.slot)).map((r) => r.slot));
    for (const due of dueSlots.filter((d) => !taken.has(d.slot))) {
      if (stale.has(due.slot)) {
        if (!(await reclaimStaleRun(this.db, job.name, due.slot, this.instance, now, staleBefore))) continue;
        this.log.warn({ job: job.name, slot: due.slot }, 'reclaimed a run its instance never finished');
        await this.execute(job, due, now);
        continue;
      }
      const late = now.getTime() - due.dueAt.getTime() > job.graceMinutes * 60_000;
      if (late) {
        if (
          await claimRun(
            this.db,
            job.name,
            due.slot,
            this.instance,
            now,
            'skipped',
            `found ${Math.round((now.getTime() - due.dueAt.getTime()) / 60000)} min late`,
          )
        ) {
          this.log.warn({ job: job.name, slot: due.slot }, 'slot missed beyond its grace period: skipped');
          this.onOutcome(job.name, 'skipped');
        }
        continue;
      }
      if (!(await claimRun(this.db, job.name, due.slot, this.instance, now))) continue;
      await this.execute(job, due, now);
    }
  }

  private async execute(job: JobDefinition, due: { slot: string; context?: unknown }, now: Date): Promise<void> {
    try {
      const detail = await job.run(due.slot, now, due.context);
      await finishRun(this.db, job.name, due.slot, 'done', this.clock.now(), detail);
      this.log.info({ job: job.name, slot: due.slot }, 'job run done');
      this.onOutcome(job.name, 'done');
    } catch (err) {
      await finishRun(this.db, job.name, due.slot, 'failed', this.clock.now(), { error: (err as Error).message });
      this.log.error({ job: job.name, slot: due.slot, err }, 'job run failed');
      this.onOutcome(job.name, 'failed');
    }
  }

  /** Registers every job with node-cron; each tick also catches up slots missed while down. */
  start(): void {
    for (const job of this.jobs) {
      this.tasks.push(
        cron.schedule(
          job.cron,
          () => void this.tick(job.name).catch((err) => this.log.error({ err, job: job.name }, 'tick failed')),
          {
            timezone: job.timezone,
            name: job.name,
          },
        ),
      );
    }
    void this.tickAll().catch((err) => this.log.error({ err }, 'catch-up failed'));
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.tasks.length = 0;
    await Promise.all([...this.running.values()]);
  }
}

/** The slot of a cron job at `now`: the minute it fired (all instances agree on it). */
export function minuteSlot(now: Date): { slot: string; dueAt: Date } {
  const dueAt = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  return { slot: `${dueAt.toISOString().slice(0, 16)}Z`, dueAt };
}
