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
