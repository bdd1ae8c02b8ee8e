import { describe, expect, it } from 'vitest';
import { lastOccurrence, parseSchedule, scheduleText } from '../../../src/domain/report-schedule';
import { parseSettingsCommand } from '../../../src/settings/settings-command';

describe('report schedules', () => {
  it('covers the last whole week, Monday to Sunday, against the one before', () => {
    const weekly = { kind: 'weekly' as const, day: 1, time: '09:00' };
    // Monday Nov 30 2026 09:00 in Denver is 16:00 UTC
    expect(lastOccurrence(weekly, 'America/Denver', new Date('2026-11-30T16:00:00Z'))).toEqual({
      dueAt: new Date('2026-11-30T16:00:00Z'),
      period: { from: '2026-11-23', to: '2026-11-29' },
      before: { from: '2026-11-16', to: '2026-11-22' },
      label: 'Week of Nov 23',
    });
    // a minute before: the occurrence a week earlier
    expect(lastOccurrence(weekly, 'America/Denver', new Date('2026-11-30T15:59:00Z')).period.from).toBe('2026-11-16');
  });
  it('covers the last whole month on its day, against the month before', () => {
    const monthly = { kind: 'monthly' as const, day: 1, time: '09:00' };
    expect(lastOccurrence(monthly, 'UTC', new Date('2026-12-02T08:00:00Z'))).toEqual({
      dueAt: new Date('2026-12-01T09:00:00Z'),
      period: { from: '2026-11-01', to: '2026-11-30' },
      before: { from: '2026-10-01', to: '2026-10-31' },
      label: 'November 2026',
    });
    expect(lastOccurrence(monthly, 'UTC', new Date('2026-12-01T08:59:00Z')).period).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
    });
  });
  it('stores and reads back', () => {
    expect(parseSchedule('weekly', scheduleText({ kind: 'weekly', day: 3, time: '07:30' }))).toEqual({
      kind: 'weekly',
      day: 3,
      time: '07:30',
    });
    expect(parseSchedule('monthly', '29 09:00')).toBeNull();
  });
  it.each([
    [
      'report weekly on mon 09:00',
      { type: 'report-on', schedule: { kind: 'weekly', day: 1, time: '09:00' }, zone: null },
    ],
    [
      'report monthly on 1 9:00 America/Denver',
      { type: 'report-on', schedule: { kind: 'monthly', day: 1, time: '09:00' }, zone: 'America/Denver' },
    ],
    ['report weekly off', { type: 'report-off', kind: 'weekly' }],
  ])('reads `%s`', (text, command) => {
    expect(parseSettingsCommand(text)).toEqual({ ok: true, command });
  });
  it.each([
    ['report monthly on 31 09:00', '"31" is not a day of the month from 1 to 28 (every month has those).'],
    ['report weekly on someday 09:00', '"someday" is not a day of the week (mon … sun).'],
    ['report weekly on mon 9am', '"9am" is not a time like 09:00.'],
    ['report daily', ''],
  ])('explains `%s`', (text, start) => {
    const r = parseSettingsCommand(text);
    expect(r).toMatchObject({ ok: false });
    expect((r as { message: string }).message).toBe(
      `${start ? `${start} ` : ''}Use \`report weekly on mon 09:00 [America/Denver]\`, \`report monthly on 1 09:00\`, or \`report weekly off\`.`,
    );
  });
});
