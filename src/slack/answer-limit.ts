/**
 * At most `max` answers computed at once per workspace: one workspace's burst of heavy
 * commands must not take every database connection from the others (and from the callbacks).
 * Past it the user is told "busy, try again" at once.
 */
export class PerKeyLimit {
  private readonly running = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** A release function, or null when `key` already runs `max`. */
  tryEnter(key: string): (() => void) | null {
    const n = this.running.get(key) ?? 0;
    if (n >= this.max) return null;
    this.running.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left <= 0) this.running.delete(key);
      else this.running.set(key, left);
    };
  }
}

/**
 * At most `max` answers read the database at once across all workspaces; the others wait
 * their turn in arrival order (the response URL stays valid for 30 minutes). Heavy reads then
 * take a bounded share of the database's CPU, and callbacks keep theirs (bench/heavy-answers).
 */
export class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the place passes on: running stays the same
      else this.running--;
    }
  }

  /** answers waiting for their turn (a gauge for tests and /metrics) */
  get queued(): number {
    return this.waiting.length;
  }
}

export const BUSY = 'Busy: this workspace already has several answers being computed. Try again in a few seconds.';
