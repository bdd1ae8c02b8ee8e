import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config';
import type { AccountScope } from '../domain/account-scope';
import type { StatsViewResult } from './stats-view.service';

export type AnswerWorkerData = Pick<Config, 'databaseUrl' | 'dataDir' | 'sqliteFile' | 'statementTimeout'>;
export interface AnswerRequest {
  id: number;
  text: string;
  zone: string;
  now: number;
  accounts: AccountScope;
}
export type AnswerReply =
  | { id: number; result: StatsViewResult }
  | { id: number; error: { message: string; errno?: number; code?: string } };

/**
 * `size` worker threads computing stats answers (src/stats/answer-worker.ts), each on its own
 * database connection; answers past `size` wait their turn in arrival order. Only the compiled
 * build has the worker's JavaScript: `create` returns null without it (the test runner's
 * TypeScript sources), and answers are then computed in the main thread.
 */
export class AnswerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(w: Worker) => void> = [];
  private readonly pending = new Map<number, { resolve: (r: StatsViewResult) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private closed = false;
  private readonly busy = new Map<Worker, number>();

  static create(config: AnswerWorkerData, size: number): AnswerPool | null {
    const file = path.join(__dirname, 'answer-worker.js');
    return fs.existsSync(file) ? new AnswerPool(file, config, size) : null;
  }

  private constructor(
    file: string,
    config: AnswerWorkerData,
    private readonly size: number,
  ) {
    const data: AnswerWorkerData = {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      sqliteFile: config.sqliteFile,
      statementTimeout: config.statementTimeout,
    };
    for (let i = 0; i < size; i++) this.spawn(file, data);
  }

  /** A worker; if it dies (out of memory, a crash), its answer fails and a new one takes its place. */
  private spawn(file: string, data: AnswerWorkerData): void {
    const w = new Worker(file, { workerData: data });
    w.on('message', (reply: AnswerReply) => {
      const p = this.pending.get(reply.id);
      this.busy.delete(w);
      if (p) {
        this.pending.delete(reply.id);
        if ('result' in reply) p.resolve(reply.result);
        else p.reject(Object.assign(new Error(reply.error.message), reply.error));
      }
      this.release(w);
    });
    w.on('error', (err) => {
      const id = this.busy.get(w);
      this.busy.delete(w);
      if (id !== undefined) {
        this.pending.get(id)?.reject(err);
        this.pending.delete(id);
      }
      this.workers.splice(this.workers.indexOf(w), 1);
      const at = this.idle.indexOf(w);
      if (at >= 0) this.idle.splice(at, 1);
      if (!this.closed) this.spawn(file, data);
    });
    w.unref();
    this.workers.push(w);
    this.release(w);
  }

  get threads(): number {
    return this.size;
  }

  async buildStatsView(text: string, zone: string, now: Date, accounts: AccountScope): Promise<StatsViewResult> {
    const w = this.idle.pop() ?? (await new Promise<Worker>((r) => this.waiting.push(r)));
    const id = ++this.seq;
    return new Promise<StatsViewResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.busy.set(w, id);
      w.postMessage({ id, text, zone, now: now.getTime(), accounts } satisfies AnswerRequest);
    });
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('shutting down'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
