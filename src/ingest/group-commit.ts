import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { applyCallbacks, type CallbackInput, type CallbackSummary } from './ingest.service';

/**
 * Group commit: callbacks that arrive while transactions are being written are written
 * together in the next one. Nothing waits for a timer — a lone callback is committed at
 * once — and each caller's promise resolves only after the transaction holding its item has
 * committed, so a 2xx still means committed. Up to `concurrency` transactions are in flight
 * at once so that the database's commit flushes overlap (MySQL); SQLite has one writer.
 */
export class GroupCommitter<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private readonly writers = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly writeBatch: (items: T[]) => Promise<R[]>,
    private readonly opts: { maxBatch?: number; concurrency?: number } = {},
  ) {}

  private pending = 0;

  /** items waiting for a transaction (a gauge in /metrics) */
  get depth(): number {
    return this.queue.length;
  }

  /** items submitted and not yet answered: queued or being written */
  get inFlight(): number {
    return this.pending;
  }

  submit(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error('shutting down'));
    this.pending++;
    const done = () => {
      this.pending--;
    };
    return new Promise<R>((resolve, reject) => {
      this.queue.push({
        item,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      if (this.writers.size < (this.opts.concurrency ?? 1)) {
        const w: Promise<void> = this.drain().finally(() => this.writers.delete(w));
        this.writers.add(w);
      }
    });
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // let the items submitted in this tick join the batch
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch ?? 500);
      try {
        const results = await this.writeBatch(batch.map((b) => b.item));
        for (const [i, b] of batch.entries()) b.resolve(results[i]!);
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        // one poison item must not fail the others: each is written again on its own, and only
        // the ones that still fail are refused
        for (const b of batch) {
          try {
            b.resolve((await this.writeBatch([b.item]))[0]!);
          } catch (one) {
            b.reject(one);
          }
        }
      }
    }
  }

  /** Stops taking items and waits for what is queued to be written. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writers.size > 0) await Promise.all([...this.writers]);
  }
}

/**
 * The callback writer: Twilio callbacks grouped into transactions (above), each group applied
 * by the ingest service. Two transactions overlap on MySQL/MariaDB (their commit flushes
 * overlap, bench/); SQLite has one writer.
 */
export function callbackWriter(
  writeDb: Knex,
  clock: { now(): Date },
  logger: Logger,
  mysql: boolean,
): GroupCommitter<CallbackInput, CallbackSummary> {
  return new GroupCommitter<CallbackInput, CallbackSummary>(
    async (items) => {
      const started = process.hrtime.bigint();
      const summary = await applyCallbacks(writeDb, items, clock.now());
      logger.debug({ batch: items.length, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'callbacks committed');
      return items.map(() => summary);
    },
    { concurrency: mysql ? 2 : 1 },
  );
}
