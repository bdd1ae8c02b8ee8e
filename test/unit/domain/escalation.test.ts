import { describe, expect, it } from 'vitest';
import { isQuiet, isSevere, parseDuration, quietPeriod, stepDue, stepCount } from '../../../src/domain/escalation';

const posted = new Date('2026-11-28T15:30:00Z');
const at = (m: number) => new Date(posted.getTime() + m * 60_000);

describe('escalation steps', () => {
  const policy = { to: [], afterMinutes: 30, everyMinutes: 60, maxRenotify: 2 };
  it('falls due after the wait, then every interval, up to the cap', () => {
    expect(stepCount(policy)).toBe(3);
    expect([0, 29, 30, 89, 90, 150, 1000].map((m) => stepDue(policy, posted, at(m)))).toEqual([0, 0, 1, 1, 2, 3, 3]);
  });
  it('is one step without renotify', () => {
    const once = { ...policy, everyMinutes: null };
    expect(stepCount(once)).toBe(1);
    expect([29, 30, 1000].map((m) => stepDue(once, posted, at(m)))).toEqual([0, 1, 1]);
  });
  it('reads durations', () => {
    expect(['30m', '1h', '1h30m', '90m', '24h', '25h', '0m', 'soon', '1 h'].map(parseDuration)).toEqual([
      30,
      60,
      90,
      90,
      1440,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('quiet hours', () => {
  const q = { start: '21:00', end: '08:00', zone: 'America/Denver' };
  it('wraps midnight in the zone (Denver is UTC−7 in November)', () => {
    // 03:59 UTC = 20:59 Denver; 04:00 UTC = 21:00; 14:59 UTC = 07:59; 15:00 UTC = 08:00
    expect(
      ['2026-11-28T03:59:00Z', '2026-11-28T04:00:00Z', '2026-11-28T14:59:00Z', '2026-11-28T15:00:00Z'].map((t) =>
        isQuiet(q, new Date(t)),
      ),
    ).toEqual([false, true, true, false]);
  });
  it('knows the period that contains a moment, or the last one', () => {
    expect(quietPeriod(q, new Date('2026-11-28T10:00:00Z'))).toEqual({
      start: new Date('2026-11-28T04:00:00Z'),
      end: new Date('2026-11-28T15:00:00Z'),
    });
    expect(quietPeriod(q, new Date('2026-11-28T16:00:00Z')).end).toEqual(new Date('2026-11-28T15:00:00Z'));
  });
  it('passes a sender problem and a rate ≥ 3× its threshold over ≥ 1,000 messages, nothing less', () => {
    expect(isSevere({ kind: 'sender_problem', rate: 0.04, threshold: 0.03, volume: 120 })).toBe(true);
    expect(isSevere({ kind: 'undelivered', rate: 0.15, threshold: 0.05, volume: 1000 })).toBe(true);
    expect(isSevere({ kind: 'undelivered', rate: 0.149, threshold: 0.05, volume: 5000 })).toBe(false);
    expect(isSevere({ kind: 'unreachable', rate: 0.6, threshold: 0.05, volume: 999 })).toBe(false);
  });
});
