import { describe, expect, it } from 'vitest';
import { failedRun, verdict, type SentToNumber } from '../../../src/domain/auto-unsubscribe';

const f = (c: string, status: SentToNumber['status'] = 'undelivered', o: Partial<SentToNumber> = {}): SentToNumber => ({
  campaignId: c,
  status,
  attempted: true,
  errorCode: null,
  ...o,
});
const fails = (n: number, from = 1) => Array.from({ length: n }, (_, i) => f(`c${from + n - 1 - i}`)); // newest first

describe('auto-unsubscribe rule (DESIGN §3)', () => {
  it('unsubscribes after 7 failed campaigns in a row, not after 6', () => {
    expect(verdict(failedRun(fails(7)).streak, 7)).toBe('unsubscribe');
    expect(verdict(failedRun(fails(6)).streak, 7)).toBe('at-risk');
    expect(verdict(failedRun(fails(5)).streak, 7)).toBe('at-risk');
    expect(verdict(failedRun(fails(4)).streak, 7)).toBe('ok');
  });

  it('lets a delivery (confirmed or not) reset the run', () => {
    expect(failedRun([...fails(6, 3), f('c2', 'delivered_unconfirmed'), ...fails(1)]).streak).toBe(6);
    expect(failedRun([f('c9', 'delivered_confirmed'), ...fails(8)]).streak).toBe(0);
  });

  it('counts failed, undelivered and unreachable carrier results; skips what was never attempted or has no outcome yet', () => {
    const list = [
      f('c8', 'failed'),
      f('c7', 'unreachable', { errorCode: 30003 }),
      f('c6', 'unreachable', { attempted: false }), // refused: already unsubscribed
      f('c5', 'unreachable', { errorCode: 21610 }), // provider: recipient unsubscribed
      f('c4', 'ignored', { attempted: false }),
      f('c3', 'queued'),
      f('c2', 'undelivered', { errorCode: 30007 }),
    ];
    expect(failedRun(list)).toEqual({ streak: 3, campaigns: ['c8', 'c7', 'c2'] });
  });

  it('judges a campaign as a whole: any delivered message in it makes it a delivery', () => {
    expect(failedRun([f('c2'), f('c1'), f('c1', 'delivered_confirmed'), f('c0')]).campaigns).toEqual(['c2']);
  });

  it('caps the run it reports', () => {
    expect(failedRun(fails(20), 7)).toMatchObject({ streak: 7 });
  });
});
