import { describe, expect, it } from 'vitest';
import { failedRun, isCarrierIncident, verdict, type SentToNumber } from '../../../src/domain/auto-unsubscribe';

// a failure of the number's own by default: 30003, the handset unreachable
const f = (c: string, status: SentToNumber['status'] = 'undelivered', o: Partial<SentToNumber> = {}): SentToNumber => ({
  campaignId: c,
  status,
  attempted: true,
  errorCode: status === 'undelivered' ? 30003 : null,
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
      f('c2', 'undelivered', { errorCode: 30007 }), // filtered by the carrier: not the number's fault
      f('c1', 'undelivered', { errorCode: 30005 }),
    ];
    expect(failedRun(list)).toEqual({
      streak: 3,
      campaigns: ['c8', 'c7', 'c1'],
      reasons: ['invalid_number', 'handset_unreachable', 'invalid_number'],
    });
  });

  it('judges a campaign as a whole: any delivered message in it makes it a delivery', () => {
    expect(failedRun([f('c2'), f('c1'), f('c1', 'delivered_confirmed'), f('c0')]).campaigns).toEqual(['c2']);
  });

  it('caps the run it reports', () => {
    expect(failedRun(fails(20), 7)).toMatchObject({ streak: 7 });
  });

  it('never counts the sender’s or a carrier’s fault: registration, limits, filtering, carrier errors are passed over', () => {
    const sender = Array.from({ length: 7 }, (_, i) => f(`s${7 - i}`, 'failed', { errorCode: 30032 }));
    expect(failedRun(sender).streak).toBe(0);
    const filtered = Array.from({ length: 7 }, (_, i) => f(`k${7 - i}`, 'undelivered', { errorCode: 30007 }));
    expect(failedRun(filtered).streak).toBe(0);
    const noReason = Array.from({ length: 7 }, (_, i) => f(`n${7 - i}`, 'undelivered', { errorCode: null }));
    expect(failedRun(noReason).streak).toBe(0);
    // passed over, they do not break a run of the number's own failures either
    expect(failedRun([f('c9'), f('c8', 'failed', { errorCode: 30032 }), f('c7')]).campaigns).toEqual(['c9', 'c7']);
  });

  it('passes over failures in a campaign with a carrier incident on the number’s carrier and type', () => {
    const msgs = Array.from({ length: 7 }, (_, i) =>
      f(`c${7 - i}`, 'undelivered', { carrier: 'T-Mobile', type: 'sms' }),
    );
    const incidentIn = (ids: string[]) => (m: SentToNumber) => ids.includes(m.campaignId) && m.carrier === 'T-Mobile';
    expect(failedRun(msgs, Infinity, incidentIn(['c7', 'c5'])).campaigns).toEqual(['c6', 'c4', 'c3', 'c2', 'c1']);
    expect(failedRun(msgs, Infinity, incidentIn([])).streak).toBe(7);
  });

  it.each([
    [{ settled: 40, failed: 40 }, true],
    [{ settled: 40, failed: 20 }, true],
    [{ settled: 40, failed: 19 }, false],
    [{ settled: 19, failed: 19 }, false],
    [{ settled: 20, failed: 10 }, true],
  ])('a carrier incident: %o → %s', (c, expected) => {
    expect(isCarrierIncident(c)).toBe(expected);
  });
});
