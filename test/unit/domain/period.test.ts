import { describe, expect, it } from 'vitest';
import { isProvisional, localDays, resolvePeriod, type Period } from '../../../src/domain/period';

const now = new Date('2026-11-28T15:30:00Z');
const iso = (p: ReturnType<typeof resolvePeriod>) => {
  if ('type' in p) throw new Error(p.message);
  return [p.start.toISOString(), p.end.toISOString()];
};

describe('periods', () => {
  it.each([
    ['today', 'UTC', '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    ['yesterday', 'UTC', '2026-11-27T00:00:00.000Z', '2026-11-28T00:00:00.000Z'],
    ['7d', 'UTC', '2026-11-22T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    ['30d', 'America/Denver', '2026-10-30T06:00:00.000Z', '2026-11-29T07:00:00.000Z'],
    ['this-week', 'UTC', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    ['last-week', 'UTC', '2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
    ['this-month', 'America/Denver', '2026-11-01T06:00:00.000Z', '2026-12-01T07:00:00.000Z'],
    ['last-month', 'UTC', '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01..2026-11-15', 'UTC', '2026-11-01T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
    ['2026-10', 'Asia/Kolkata', '2026-09-30T18:30:00.000Z', '2026-10-31T18:30:00.000Z'],
    ['24h', 'UTC', '2026-11-27T15:30:00.000Z', '2026-11-28T15:30:00.000Z'],
    ['2w', 'UTC', '2026-11-15T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
  ])('%s in %s', (word, zone, start, end) => {
    expect(iso(resolvePeriod(word, zone, now))).toEqual([start, end]);
  });

  it('is 25 hours long on the day DST ends and 23 on the day it starts (America/Denver)', () => {
    const fallBack = resolvePeriod('2026-11-01', 'America/Denver', now) as Period;
    expect(iso(fallBack)).toEqual(['2026-11-01T06:00:00.000Z', '2026-11-02T07:00:00.000Z']);
    expect((fallBack.end.getTime() - fallBack.start.getTime()) / 3600_000).toBe(25);
    const springForward = resolvePeriod('2026-03-08', 'America/Denver', now) as Period;
    expect((springForward.end.getTime() - springForward.start.getTime()) / 3600_000).toBe(23);
  });

  it('splits a range across a DST change into local days', () => {
    const p = resolvePeriod('2026-10-31..2026-11-02', 'America/Denver', now) as Period;
    expect(
      localDays(p.start, p.end, p.timezone).map((d) => [d.date, (d.end.getTime() - d.start.getTime()) / 3600_000]),
    ).toEqual([
      ['2026-10-31', 24],
      ['2026-11-01', 25],
      ['2026-11-02', 24],
    ]);
  });

  it.each([
    ['2026-02-30', '"2026-02-30" is not a date (use YYYY-MM-DD)'],
    ['2026-11-15..2026-11-01', '"2026-11-15..2026-11-01" ends before it starts'],
    ['0d', '"0d" is an empty period: use at least 1d'],
    ['9999d', '"9999d" is longer than 400 days'],
    ['2026-13', '"2026-13" is not a month (use YYYY-MM)'],
    ['2026-11-01..soon', '"soon" is not a date (use YYYY-MM-DD)'],
  ])('refuses %s', (word, message) => {
    expect(resolvePeriod(word, 'UTC', now)).toEqual({ type: 'invalid-period', word, message });
  });

  it('is provisional while it reaches into the last 72 hours', () => {
    expect(isProvisional({ end: new Date('2026-11-25T15:30:01Z') }, now)).toBe(true);
    expect(isProvisional({ end: new Date('2026-11-25T15:30:00Z') }, now)).toBe(false);
  });
});
