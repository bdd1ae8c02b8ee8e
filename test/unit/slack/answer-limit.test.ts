import { describe, expect, it } from 'vitest';
import { PerKeyLimit } from '../../../src/slack/answer-limit';

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
