import { describe, expect, it } from 'vitest';
import { applyReports, type MessageState, type Report } from '../../../src/domain/message-state';
import { foldStatuses, mapProviderStatus, mergeStatus, STATUSES, type Status } from '../../../src/domain/status';

describe('provider mapping (DESIGN §1)', () => {
  it.each([
    ['accepted', null, 'queued'],
    ['scheduled', null, 'queued'],
    ['queued', null, 'queued'],
    ['sending', null, 'queued'],
    ['sent', null, 'delivered_unconfirmed'],
    ['delivered', null, 'delivered_confirmed'],
    ['undelivered', 30003, 'unreachable'],
    ['undelivered', 30005, 'unreachable'],
    ['undelivered', 30006, 'unreachable'],
    ['undelivered', 30011, 'unreachable'],
    ['undelivered', 30007, 'undelivered'],
    ['undelivered', 30004, 'undelivered'],
    ['undelivered', 30008, 'undelivered'],
    ['undelivered', null, 'undelivered'],
    ['failed', 21211, 'failed'],
    ['failed', 21614, 'failed'],
    ['failed', null, 'failed'],
    ['failed', 21610, 'unreachable'],
    ['undelivered', 21610, 'unreachable'],
    ['UNDELIVERED', 30003, 'unreachable'],
  ] as const)('%s with error %s → %s', (status, code, expected) => {
    expect(mapProviderStatus(status, code)).toBe(expected);
  });

  it('keeps canceled without a status and does not know made-up statuses', () => {
    expect(mapProviderStatus('canceled', null)).toBeNull();
    expect(mapProviderStatus('teleported', null)).toBeUndefined();
  });
});

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('status transitions', () => {
  it('only moves forward: a final status never goes back', () => {
    for (const final of ['delivered_confirmed', 'undelivered', 'unreachable', 'failed'] as Status[]) {
      expect(mergeStatus(final, 'queued')).toBe(final);
      expect(mergeStatus(final, 'delivered_unconfirmed')).toBe(final);
    }
    expect(mergeStatus('queued', 'delivered_unconfirmed')).toBe('delivered_unconfirmed');
    expect(mergeStatus('delivered_unconfirmed', 'queued')).toBe('delivered_unconfirmed');
  });

  it('lets a failure win over a delivery between finals', () => {
    expect(mergeStatus('delivered_confirmed', 'undelivered')).toBe('undelivered');
    expect(mergeStatus('undelivered', 'delivered_confirmed')).toBe('undelivered');
    expect(mergeStatus('delivered_confirmed', 'unreachable')).toBe('unreachable');
    expect(mergeStatus('failed', 'delivered_confirmed')).toBe('failed');
  });

  const journeys: Array<[string, Status[], Status]> = [
    ['delivered', ['queued', 'delivered_unconfirmed', 'delivered_confirmed'], 'delivered_confirmed'],
    ['filtered', ['queued', 'delivered_unconfirmed', 'undelivered'], 'undelivered'],
    ['unreachable handset', ['queued', 'delivered_unconfirmed', 'unreachable'], 'unreachable'],
    [
      'multi-part, one part failed',
      ['delivered_unconfirmed', 'delivered_confirmed', 'undelivered', 'delivered_confirmed'],
      'undelivered',
    ],
    ['never confirmed', ['queued', 'queued', 'delivered_unconfirmed'], 'delivered_unconfirmed'],
    ['failed after sent', ['delivered_unconfirmed', 'failed', 'delivered_confirmed'], 'failed'],
  ];
  it.each(journeys)('%s: every order of the callbacks ends in the same status', (_name, callbacks, expected) => {
    for (const order of permutations(callbacks)) {
      expect(foldStatuses('queued', order)).toBe(expected);
    }
  });

  it('is the same for every order of every pair of statuses (a total order)', () => {
    for (const a of STATUSES) for (const b of STATUSES) expect(mergeStatus(a, b)).toBe(mergeStatus(b, a));
  });

  it("gives the same state (status, error code, segments) for every order of a message's reports", () => {
    const start: MessageState = { status: 'queued', errorCode: null, segments: 3, segmentsSource: 'body' };
    const reports: Report[] = [
      { status: 'delivered_unconfirmed', errorCode: null, numSegments: 2 },
      { status: 'undelivered', errorCode: 30008, numSegments: null },
      { status: 'undelivered', errorCode: 30007, numSegments: 2 },
      { status: 'delivered_confirmed', errorCode: null, numSegments: null },
      { status: null, errorCode: null, numSegments: null },
    ];
    const results = permutations(reports).map((p) => applyReports(start, p));
    for (const r of results)
      expect(r).toEqual({ status: 'undelivered', errorCode: 30008, segments: 2, segmentsSource: 'provider' });
  });

  it("lets the provider's segment count replace the computed one", () => {
    const s = applyReports({ status: 'queued', errorCode: null, segments: 3, segmentsSource: 'body' }, [
      { status: 'delivered_unconfirmed', errorCode: null, numSegments: 1 },
    ]);
    expect(s.segments).toBe(1);
    expect(s.segmentsSource).toBe('provider');
  });
});
