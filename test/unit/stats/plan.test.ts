import { describe, expect, it } from 'vitest';
import { dayIndex, planReads } from '../../../src/stats/plan';

const d = (s: string) => new Date(s);

describe('read plan', () => {
  it('reads only whole hours when the zone and period are on the hour', () => {
    const plan = planReads(d('2026-11-01T06:00:00Z'), d('2026-11-03T07:00:00Z'), 'America/Denver');
    expect(plan.raw).toEqual([]);
    expect(plan.hourly).toEqual({ from: d('2026-11-01T06:00:00Z'), to: d('2026-11-03T07:00:00Z'), exclude: [] });
    const day = dayIndex(plan);
    expect(day(d('2026-11-02T06:00:00Z'))).toBe('2026-11-01'); // the 25-hour day
    expect(day(d('2026-11-02T07:00:00Z'))).toBe('2026-11-02');
  });

  it('reads the hours that straddle local midnight in a :30 zone from raw messages', () => {
    // Asia/Kolkata is UTC+5:30: local midnight is 18:30 UTC
    const plan = planReads(d('2026-10-31T18:30:00Z'), d('2026-11-02T18:30:00Z'), 'Asia/Kolkata');
    expect(plan.raw).toEqual([
      { from: d('2026-10-31T18:30:00Z'), to: d('2026-10-31T19:00:00Z'), date: '2026-11-01' },
      { from: d('2026-11-01T18:00:00Z'), to: d('2026-11-01T18:30:00Z'), date: '2026-11-01' },
      { from: d('2026-11-01T18:30:00Z'), to: d('2026-11-01T19:00:00Z'), date: '2026-11-02' },
      { from: d('2026-11-02T18:00:00Z'), to: d('2026-11-02T18:30:00Z'), date: '2026-11-02' },
    ]);
    expect(plan.hourly).toEqual({
      from: d('2026-10-31T19:00:00Z'),
      to: d('2026-11-02T18:00:00Z'),
      exclude: [d('2026-11-01T18:00:00Z')],
    });
  });

  it('reads a rolling window’s partial first and last hours from raw messages', () => {
    const plan = planReads(d('2026-11-27T15:30:00Z'), d('2026-11-28T15:30:00Z'), 'UTC');
    expect(plan.raw).toEqual([
      { from: d('2026-11-27T15:30:00Z'), to: d('2026-11-27T16:00:00Z'), date: '2026-11-27' },
      { from: d('2026-11-28T15:00:00Z'), to: d('2026-11-28T15:30:00Z'), date: '2026-11-28' },
    ]);
  });

  it('reads a window shorter than an hour entirely from raw messages', () => {
    const plan = planReads(d('2026-11-28T15:10:00Z'), d('2026-11-28T15:40:00Z'), 'UTC');
    expect(plan.hourly).toBeNull();
    expect(plan.raw).toEqual([{ from: d('2026-11-28T15:10:00Z'), to: d('2026-11-28T15:40:00Z'), date: '2026-11-28' }]);
  });
});
