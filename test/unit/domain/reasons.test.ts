import { describe, expect, it } from 'vitest';
import { ERROR_CODES, REASONS, reasonOf } from '../../../src/domain/reasons';
import { mapProviderStatus } from '../../../src/domain/status';

/** Every code of the one table: its reason, the reason's attribution, and the status a callback gets. */
describe('reasons: the code table', () => {
  it.each([
    // code, provider status, status, reason, attribution
    [21211, 'failed', 'failed', 'invalid_number', 'recipient'],
    [21614, 'failed', 'failed', 'invalid_number', 'recipient'],
    [30005, 'undelivered', 'unreachable', 'invalid_number', 'recipient'],
    [30006, 'undelivered', 'unreachable', 'landline', 'recipient'],
    [30003, 'undelivered', 'unreachable', 'handset_unreachable', 'recipient'],
    [30011, 'undelivered', 'unreachable', 'mms_unsupported', 'recipient'],
    [21610, 'failed', 'unreachable', 'unsubscribed', 'recipient'],
    [30007, 'undelivered', 'undelivered', 'carrier_filtered', 'carrier'],
    [30004, 'undelivered', 'undelivered', 'carrier_filtered', 'carrier'],
    [30032, 'failed', 'failed', 'sender_unregistered', 'sender'],
    [30034, 'undelivered', 'undelivered', 'sender_unregistered', 'sender'],
    [30001, 'failed', 'failed', 'sending_limit', 'sender'],
    [30022, 'undelivered', 'undelivered', 'sending_limit', 'sender'],
    [30023, 'undelivered', 'undelivered', 'sending_limit', 'sender'],
    [30027, 'undelivered', 'undelivered', 'sending_limit', 'sender'],
    [21408, 'failed', 'failed', 'sender_account', 'sender'],
    [30010, 'failed', 'failed', 'sender_account', 'sender'],
    [30002, 'failed', 'ignored', 'sender_account', 'sender'],
    [30008, 'undelivered', 'undelivered', 'carrier_error', 'carrier'],
    [30410, 'failed', 'failed', 'carrier_error', 'carrier'],
  ] as const)('%i (%s) → %s, %s (%s)', (code, provider, status, reason, attribution) => {
    const mapped = mapProviderStatus(provider, code)!;
    expect(mapped).toBe(status);
    expect(reasonOf(mapped, code)).toBe(reason);
    expect(REASONS[reasonOf(mapped, code)!].attribution).toBe(attribution);
    expect(ERROR_CODES[code]!.title.length).toBeGreaterThan(5);
  });

  it('names the reason from the status when there is no code, and "other" for a code it does not know', () => {
    expect(reasonOf('undelivered', null)).toBe('carrier_error');
    expect(reasonOf('failed', null)).toBe('invalid_number');
    expect(reasonOf('ignored', null)).toBe('sender_account');
    expect(reasonOf('unreachable', null)).toBe('unsubscribed');
    expect(reasonOf('undelivered', 12345)).toBe('other');
    expect(reasonOf('delivered_confirmed', null)).toBeNull();
    expect(reasonOf('queued', 30007)).toBeNull();
  });

  it('maps canceled to no status and partially_delivered to Undelivered; an unknown status (even "constructor") is unknown', () => {
    expect(mapProviderStatus('canceled', null)).toBeNull();
    expect(mapProviderStatus('partially_delivered', null)).toBe('undelivered');
    expect(mapProviderStatus('constructor', null)).toBeUndefined();
    expect(mapProviderStatus('__proto__', null)).toBeUndefined();
    expect(mapProviderStatus('toString', 30007)).toBeUndefined();
  });

  it('gives every reason a label, an attribution and one line of advice', () => {
    for (const r of Object.values(REASONS)) {
      expect(r.label).toMatch(/^[A-Z]/);
      expect(r.advice).toMatch(/^[A-Z].*[.!]$/);
      expect(r.advice).not.toContain('\n');
    }
  });
});
