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

export const BUSY = 'Busy: this workspace already has several answers being computed. Try again in a few seconds.';
