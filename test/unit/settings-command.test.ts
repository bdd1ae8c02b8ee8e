import { describe, expect, it } from 'vitest';
import { parseCommand, parseSettingsCommand } from '../../src/settings/settings-command';

describe('settings commands', () => {
  it.each([
    ['digest on', { type: 'digest-on', time: null, zone: null }],
    ['digest on 9:30 America/Denver', { type: 'digest-on', time: '09:30', zone: 'America/Denver' }],
    ['digest off', { type: 'digest-off' }],
    ['digest preview', { type: 'digest-preview', date: null }],
    ['digest preview 2026-11-20', { type: 'digest-preview', date: '2026-11-20' }],
    ['alerts undelivered 8%', { type: 'alerts-floor', kind: 'undelivered', floor: 0.08 }],
    ['alerts status', { type: 'alerts-status' }],
    ['scope account:acct_1', { type: 'scope', account: 'acct_1' }],
    ['at-risk', { type: 'at-risk' }],
    ['unsubscribed 30d', { type: 'unsubscribed', period: '30d' }],
    [
      'alerts escalate after 30m to @deliverability-oncall',
      {
        type: 'alerts-escalate',
        afterMinutes: 30,
        targets: [{ type: 'handle', handle: 'deliverability-oncall' }],
      },
    ],
    [
      'alerts escalate to <!subteam^S0ONCALL|@oncall> <@U0ANNA|anna>',
      {
        type: 'alerts-escalate',
        afterMinutes: null,
        targets: [
          { type: 'group', id: 'S0ONCALL', handle: 'oncall' },
          { type: 'user', id: 'U0ANNA', handle: 'anna' },
        ],
      },
    ],
    [
      'alerts escalate after 1h30m to @ana',
      { type: 'alerts-escalate', afterMinutes: 90, targets: [{ type: 'handle', handle: 'ana' }] },
    ],
    ['alerts escalate off', { type: 'alerts-escalate-off' }],
    ['alerts renotify every 1h', { type: 'alerts-renotify', everyMinutes: 60, max: null }],
    ['alerts renotify every 30m up to 6', { type: 'alerts-renotify', everyMinutes: 30, max: 6 }],
    ['alerts renotify off', { type: 'alerts-renotify-off' }],
    ['alerts quiet 21:00-08:00', { type: 'alerts-quiet', start: '21:00', end: '08:00', zone: null }],
    [
      'alerts quiet 9:00-17:30 America/Denver',
      { type: 'alerts-quiet', start: '09:00', end: '17:30', zone: 'America/Denver' },
    ],
    ['alerts quiet off', { type: 'alerts-quiet-off' }],
  ])('%s', (text, command) => {
    expect(parseSettingsCommand(text)).toEqual({ ok: true, command });
  });

  it('leaves stats words alone and explains bad settings', () => {
    expect(parseSettingsCommand('30d mms')).toBeNull();
    expect(parseSettingsCommand('digest on 25:00')).toEqual({
      ok: false,
      message: '"25:00" is neither a time (like 09:00) nor a time zone (like America/Denver).',
    });
    expect(parseSettingsCommand('alerts undelivered lots')).toEqual({
      ok: false,
      message: '"lots" is not a percentage between 0% and 100% (like 8%).',
    });
  });

  it.each([
    [
      'alerts escalate after soon to @oncall',
      '"soon" is not a wait like 30m or 1h (1 minute to 24 hours). Use `alerts escalate after 30m to @deliverability-oncall` (a user group or people), or `alerts escalate off`.',
    ],
    [
      'alerts escalate after 30m',
      'Use `alerts escalate after 30m to @deliverability-oncall` (a user group or people), or `alerts escalate off`.',
    ],
    [
      'alerts escalate to oncall',
      '"oncall" is not a mention of a user group or a person (like @deliverability-oncall). Use `alerts escalate after 30m to @deliverability-oncall` (a user group or people), or `alerts escalate off`.',
    ],
    [
      'alerts renotify every 2m',
      '"2m" is not an interval like 30m or 1h (5 minutes to 24 hours). Use `alerts renotify every 1h [up to 3]` (at most 24 times), or `alerts renotify off`.',
    ],
    [
      'alerts renotify every 1h up to 99',
      'Use `alerts renotify every 1h [up to 3]` (at most 24 times), or `alerts renotify off`.',
    ],
    [
      'alerts quiet 21:00',
      '"21:00" is not a range of local times like 21:00-08:00. Use `alerts quiet 21:00-08:00 [America/Denver]`, or `alerts quiet off`.',
    ],
    [
      'alerts quiet 21:00-21:00',
      'Quiet hours from 21:00 to 21:00 are empty or the whole day. Use `alerts quiet 21:00-08:00 [America/Denver]`, or `alerts quiet off`.',
    ],
    [
      'alerts quiet 21:00-08:00 Mars/Olympus',
      '"Mars/Olympus" is not a time zone (like America/Denver). Use `alerts quiet 21:00-08:00 [America/Denver]`, or `alerts quiet off`.',
    ],
  ])('explains %s', (text, message) => {
    expect(parseSettingsCommand(text)).toEqual({ ok: false, message });
  });
});

describe('one grammar for every /campaign-stats text', () => {
  it('tells help, why, a subcommand and stats words apart', () => {
    expect(parseCommand(' HELP ')).toEqual({ kind: 'help' });
    expect(parseCommand('why')).toEqual({ kind: 'why', words: '' });
    expect(parseCommand('why 30d mms')).toEqual({ kind: 'why', words: '30d mms' });
    expect(parseCommand('whyever')).toEqual({ kind: 'stats', words: 'whyever' });
    expect(parseCommand('digest on 09:00 UTC')).toEqual({
      kind: 'settings',
      parse: { ok: true, command: { type: 'digest-on', time: '09:00', zone: 'UTC' } },
    });
    expect(parseCommand('30d carrier:verizon')).toEqual({ kind: 'stats', words: '30d carrier:verizon' });
    expect(parseCommand('')).toEqual({ kind: 'stats', words: '' });
  });
});
