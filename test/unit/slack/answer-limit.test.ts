import { describe, expect, it } from 'vitest';
import { Gate, PerKeyLimit } from '../../../src/slack/answer-limit';

describe('answers at once per workspace', () => {
  it('lets `max` in per workspace, tells the next one busy, and frees a place on release (once)', () => {
    const limit = new PerKeyLimit(2);
    const a1 = limit.tryEnter('T1');
    const a2 = limit.tryEnter('T1');
    expect(a1).not.toBeNull();
    expect(a2).not.toBeNull();
    expect(limit.tryEnter('T1')).toBeNull();
    expect(limit.tryEnter('T2')).not.toBeNull(); // another workspace is not held up
    a1!();
    a1!(); // a second release frees nothing more
    const a3 = limit.tryEnter('T1');
    expect(a3).not.toBeNull();
    expect(limit.tryEnter('T1')).toBeNull();
  });
});

describe('answers reading at once across workspaces', () => {
  it('runs at most `max` at once, the rest in arrival order, and passes a failed one’s place on', async () => {
    const gate = new Gate(2);
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const opened: Array<() => void> = [];
    const job = (name: string, fail = false) =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await new Promise<void>((r) => opened.push(r));
        running--;
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const a = job('a', true);
    const b = job('b');
    const c = job('c');
    const d = job('d');
    await Promise.resolve();
    expect(log).toEqual(['start a', 'start b']);
    expect(gate.queued).toBe(2);
    opened.shift()!(); // a fails: its place goes to c
    await expect(a).rejects.toThrow('a failed');
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['start a', 'start b', 'start c']);
    while (opened.length || gate.queued) {
      opened.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all([b, c, d])).toEqual(['b', 'c', 'd']);
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d']);
    expect(most).toBe(2);
  });
});
