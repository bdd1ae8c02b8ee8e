/**
 * Group commit: callbacks that arrive while a transaction is being written are written
 * together in the next one. Nothing waits for a timer — a lone callback is committed at
 * once — and each caller's promise resolves only after the transaction holding its item has
 * committed, so a 2xx still means committed.
 */
export class GroupCommitter<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly writeBatch: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error('shutting down'));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) this.running = this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.writeBatch(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        batch.forEach((b) => b.reject(err));
      }
    }
    this.running = null;
  }

  /** Stops taking items and waits for what is queued to be written. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }
}
