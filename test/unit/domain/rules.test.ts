import { describe, expect, it } from 'vitest';
import { atRiskBand, counts, verdict } from '../../../src/domain/auto-unsubscribe';
import { deliveryChange, settled } from '../../../src/domain/rates';
import {
  DELIVERY_STATUSES,
  emptyStatusCounts,
  FAILURE_STATUSES,
  mapProviderStatus,
  RECIPIENT_UNSUBSCRIBED,
  SETTLED_STATUSES,
  wasAttempted,
} from '../../../src/domain/status';
import { campaignLine, changeText } from '../../../src/messages/lines';
import { applyReports, CANCELED } from '../../../src/domain/message-state';

/** The rules that used to be written in several places, each from its one definition. */
describe('rules defined once', () => {
  it('21610: the recipient had unsubscribed, so the message was never attempted and never counts against the number', () => {
    expect(RECIPIENT_UNSUBSCRIBED).toBe(21610);
    expect(mapProviderStatus('failed', RECIPIENT_UNSUBSCRIBED)).toBe('unreachable');
    expect(wasAttempted('queued', RECIPIENT_UNSUBSCRIBED)).toBe(false);
    expect(counts({ campaignId: 'c', status: 'unreachable', attempted: true, errorCode: RECIPIENT_UNSUBSCRIBED })).toBe(
      false,
    );
  });

  it('settled statuses are every status but Queued and Ignored, failures and deliveries among them', () => {
    expect([...SETTLED_STATUSES].sort()).toEqual(
      ['delivered_confirmed', 'delivered_unconfirmed', 'failed', 'undelivered', 'unreachable'].sort(),
    );
    expect([...FAILURE_STATUSES, ...DELIVERY_STATUSES].sort()).toEqual([...SETTLED_STATUSES].sort());
    const c = emptyStatusCounts();
    c.queued.segments = 5;
    c.ignored.segments = 7;
    c.failed.segments = 1;
    c.delivered_confirmed.segments = 2;
    expect(settled(c, 'segments')).toBe(3);
  });

  it.each([
    [7, { min: 5, max: 6 }],
    [3, { min: 1, max: 2 }],
    [2, { min: 1, max: 1 }],
  ])('the at-risk band for a threshold of %i', (threshold, band) => {
    expect(atRiskBand(threshold)).toEqual(band);
    expect(verdict(band.min, threshold)).toBe('at-risk');
    expect(verdict(band.max, threshold)).toBe('at-risk');
    expect(verdict(threshold, threshold)).toBe('unsubscribe');
  });

  it.each([
    [0.9, 0.8, '(▲ 10.0 pts vs x)'],
    [0.8, 0.9, '(▼ 10.0 pts vs x)'],
    [0.80001, 0.8, '(→ 0.0 pts vs x)'],
  ])('the delivery arrow: %f against %f', (now, before, text) => {
    expect(changeText(deliveryChange(now, before)!, 'x')).toBe(text);
  });

  it('no arrow without both rates, and one campaign line for the answer and the digest', () => {
    expect(deliveryChange(null, 0.5)).toBeNull();
    expect(campaignLine({ id: 'c1', name: 'Cyber <Monday>', segments: 12345, delivery: 0.5 })).toBe(
      '• Cyber &lt;Monday&gt; — 12,345 seg, 50.0% delivered',
    );
  });
});

describe('a cancelled scheduled send', () => {
  const q = { status: 'queued' as const, errorCode: null, segments: 1, segmentsSource: 'sender' as const };
  const canceled = { status: null, errorCode: null, numSegments: null, canceled: true };
  const delivered = { status: 'delivered_confirmed' as const, errorCode: null, numSegments: null };
  it('leaves every count while nothing says it was sent, in any order of the reports', () => {
    expect(applyReports(q, [canceled]).status).toBe(CANCELED);
    expect(applyReports(q, [canceled, delivered]).status).toBe('delivered_confirmed');
    expect(applyReports(q, [delivered, canceled]).status).toBe('delivered_confirmed');
    expect(applyReports(applyReports(q, [canceled]), [delivered]).status).toBe('delivered_confirmed');
    expect(applyReports(applyReports(q, [canceled]), [{ ...canceled }]).status).toBe(CANCELED);
  });
});
