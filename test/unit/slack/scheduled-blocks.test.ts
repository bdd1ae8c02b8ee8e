import { describe, expect, it } from 'vitest';
import { spikeAlertMessage, stateLine } from '../../../src/alerts/alert.blocks';
import { blockTexts } from '../../helpers/slack';
import type { Alert } from '../../../src/alerts/alerts.repository';
import type { DigestData } from '../../../src/digests/digest.service';
import { digestMessages } from '../../../src/digests/digest.blocks';
import { emptyStatusCounts, STATUSES } from '../../../src/domain/status';
import { messageProblems } from '../../../src/messages/block-limits';
import { autoUnsubscribeSummary, restoreLists } from '../../../src/unsubscribes/unsubscribes.blocks';
import { breakdown, type StatsResult } from '../../../src/stats/stats.service';

function stats(campaigns: number): StatsResult {
  const st = emptyStatusCounts();
  const seg = [0, 3, 0, 51, 11, 355, 480];
  for (const [i, s] of STATUSES.entries()) st[s] = { segments: seg[i]!, messages: seg[i]! };
  const b = breakdown(st);
  return {
    period: { start: '2026-11-27T00:00:00Z', end: '2026-11-28T00:00:00Z', timezone: 'UTC', label: '2026-11-27' },
    filters: { type: null, carrier: null, campaign: null, account: null },
    ...b,
    provisional: true,
    provisional_note: 'Provisional: this period includes the last 72 hours, and delivery receipts are still arriving.',
    series: [],
    carriers: ['Verizon', 'AT&T', 'T-Mobile'].map((carrier) => ({ carrier, ...b })),
    types: [{ type: 'sms', ...b }],
    campaigns_count: campaigns,
    reasons: [
      {
        status: 'unreachable',
        reason: 'handset_unreachable',
        label: 'Handset unreachable',
        attribution: 'recipient',
        segments: 51,
        messages: 51,
      },
      {
        status: 'undelivered',
        reason: 'carrier_filtered',
        label: 'Carrier-blocked (filtered as spam)',
        attribution: 'carrier',
        segments: 9,
        messages: 9,
      },
    ],
    campaigns: Array.from({ length: campaigns }, (_, i) => ({
      id: `cmp_${i}`,
      name: `Green Nov 27 SMS ${i}`,
      account_id: 'acct_greenleaf',
      ...b,
    })),
  };
}

const digest = (campaigns: number): DigestData => ({
  channelId: 'C0LOCAL',
  date: '2026-11-27',
  zone: 'UTC',
  accountId: null,
  day: stats(campaigns),
  trailingDeliveryRate: 0.914,
  week: stats(campaigns),
  undeliveredCost: 11 * 0.03,
  autoUnsubscribed: 0,
  atRisk: 3,
  openAlerts: 1,
  segmentPrice: 0.03,
});

const alert: Alert = {
  id: 7,
  teamId: null,
  channelId: 'C0LOCAL',
  kind: 'undelivered',
  scopeKey: '*|T-Mobile|sms',
  scope: { carrier: 'T-Mobile', type: 'sms', accountId: null },
  state: 'acknowledged',
  rate: 0.456,
  baseline: 0.022,
  threshold: 0.05,
  peakRate: 0.456,
  volume: 217,
  peakVolume: 217,
  messageTs: '1795856753.171002',
  ackedBy: 'U0LOCAL',
  ackedAt: new Date('2026-11-16T21:10:00Z'),
  snoozedUntil: null,
  snoozedBy: null,
  resolvedBy: null,
  resolvedAt: null,
  belowSince: null,
  openedAt: new Date('2026-11-16T21:00:00Z'),
  detail: null,
  postedAt: new Date('2026-11-16T21:00:00Z'),
  held: false,
  escalationStep: 0,
  escalationPosted: 0,
  escalationClaimedAt: null,
  escalatedAt: null,
};

describe('scheduled messages (Block Kit snapshots)', () => {
  it('builds the daily digest for the demo day', async () => {
    const { parent, thread } = digestMessages(digest(1), {
      imageUrl: 'https://quickchart.io/chart?c=x',
      altText: 'Segments per day',
      title: 'Last 7 days',
    });
    await expect(JSON.stringify(parent, null, 2)).toMatchFileSnapshot('__snapshots__/digest-message.json');
    expect(thread).toEqual([]);
    expect(messageProblems(parent)).toEqual([]);
  });

  it('moves the campaign list into the thread when it is long, keeping every message within limits', () => {
    const { parent, thread } = digestMessages(digest(300), null);
    expect(thread).toHaveLength(8); // 295 more campaigns, 40 a message
    expect(JSON.stringify(parent)).toContain('_…and 295 more in the thread_');
    for (const m of [parent, ...thread]) expect(messageProblems(m)).toEqual([]);
  });

  it('builds the spike alert parent', async () => {
    const msg = spikeAlertMessage(alert, 'UTC', 120);
    await expect(JSON.stringify(msg, null, 2)).toMatchFileSnapshot('__snapshots__/alert-message.json');
    expect(messageProblems(msg)).toEqual([]);
    const resolved = spikeAlertMessage(
      { ...alert, state: 'resolved', resolvedBy: 'auto', resolvedAt: new Date('2026-11-16T23:00:00Z') },
      'UTC',
      120,
    );
    expect(resolved.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('keeps the peak and its denominator after the window empties (redraw after Acknowledge / Snooze / Resolve)', () => {
    const later = { ...alert, rate: null, volume: 0 };
    const body = blockTexts(spikeAlertMessage(later, 'UTC', 120).blocks)[1];
    expect(body).toBe(
      '*45.6%* of 217 settled messages sent in the last 2 hours were undelivered at the peak. No settled messages in the window now. Threshold 5.0%; usual for this scope 2.2% over the last 7 days.',
    );
    const resolved = blockTexts(
      spikeAlertMessage(
        { ...later, state: 'resolved', resolvedBy: 'U0ANNA', resolvedAt: new Date('2026-11-17T01:00:00Z') },
        'UTC',
        120,
      ).blocks,
    )[1];
    expect(resolved).toBe(
      '*45.6%* of 217 settled messages sent in the last 2 hours were undelivered at the peak. Threshold 5.0%; usual for this scope 2.2% over the last 7 days.',
    );
  });

  it('titles a spike driven by carrier filtering as carrier-blocked, and states every alert’s reason mix (snapshots)', async () => {
    const blocked = {
      ...alert,
      detail: {
        reasons: [
          { reason: 'carrier_filtered', label: 'Carrier-blocked (filtered as spam)', messages: 91 },
          { reason: 'carrier_error', label: 'Carrier error (no reason given)', messages: 8 },
        ],
      },
    };
    const msg = spikeAlertMessage(blocked as Alert, 'UTC', 120);
    expect(blockTexts(msg.blocks)[0]).toBe('Carrier-blocked spike — T-Mobile · SMS');
    expect(blockTexts(msg.blocks)[1]).toContain(
      '\n*Why:* Carrier-blocked (filtered as spam) 91 (92%) · Carrier error (no reason given) 8 (8%)\n_The carrier filtered',
    );
    await expect(JSON.stringify(msg, null, 2)).toMatchFileSnapshot('__snapshots__/alert-carrier-blocked.json');
    // filtering under half of the failures: an undelivered rate spike, with its mix
    const mixed = {
      ...blocked,
      detail: {
        reasons: [
          { reason: 'carrier_error', label: 'Carrier error (no reason given)', messages: 120 },
          blocked.detail.reasons[0]!,
        ],
      },
    };
    expect(blockTexts(spikeAlertMessage(mixed as Alert, 'UTC', 120).blocks)[0]).toBe(
      'Undelivered rate spike — T-Mobile · SMS',
    );
    const sender = {
      ...alert,
      kind: 'sender_problem' as const,
      scope: { carrier: null, type: null, accountId: 'acct_greenleaf', accountName: 'Green Leaf Denver' },
      peakRate: 0.4,
      peakVolume: 300,
      rate: 0.4,
      volume: 300,
      threshold: 0.03,
      baseline: null,
      detail: {
        reasons: [
          { reason: 'sender_unregistered', label: 'Sender not registered or verified', messages: 100 },
          { reason: 'sending_limit', label: 'Sending limit reached', messages: 20 },
        ],
      },
    };
    const sp = spikeAlertMessage(sender as Alert, 'UTC', 120);
    expect(blockTexts(sp.blocks).slice(0, 2)).toEqual([
      'Sender problem — All carriers · account Green Leaf Denver',
      '*40.0%* of 300 messages sent in the last 2 hours failed for the sender’s reasons (registration, sending limits, the account) at the peak. Now 40.0% of 300. Threshold 3.0%.\n' +
        '*Why:* Sender not registered or verified 100 (83%) · Sending limit reached 20 (17%)\n' +
        '_The sending number is not registered (A2P 10DLC) or verified (toll-free): finish registration before sending again._',
    ]);
    await expect(JSON.stringify(sp, null, 2)).toMatchFileSnapshot('__snapshots__/alert-sender-problem.json');
    for (const m of [msg, sp]) expect(messageProblems(m)).toEqual([]);
  });

  it('names the day’s top reasons in the digest', () => {
    const d = digest(3);
    d.day = {
      ...d.day,
      reasons: [
        {
          status: 'undelivered',
          reason: 'carrier_filtered',
          label: 'Carrier-blocked (filtered as spam)',
          attribution: 'carrier',
          segments: 22,
          messages: 11,
        },
      ],
    };
    const texts = blockTexts(digestMessages(d, null).parent.blocks);
    expect(texts.some((t) => t.endsWith('\n*Top reasons:* Carrier-blocked (filtered as spam) 11 (carrier)'))).toBe(
      true,
    );
  });

  it('names accounts by name where one is known: digest context and alert scope', () => {
    const { parent } = digestMessages(
      { ...digest(3), accountId: 'acct_greenleaf', accountName: 'Green Leaf Denver' },
      null,
    );
    expect(blockTexts(parent.blocks)[1]).toBe('UTC · account Green Leaf Denver');
    const scoped = {
      ...alert,
      scope: { ...alert.scope, accountId: 'acct_greenleaf', accountName: 'Green Leaf Denver' },
    };
    expect(blockTexts(spikeAlertMessage(scoped, 'UTC', 120).blocks)[0]).toBe(
      'Undelivered rate spike — T-Mobile · SMS · account Green Leaf Denver',
    );
  });

  it('writes the notification text in plain words with real times, no emoji codes', () => {
    expect(
      spikeAlertMessage({ ...alert, state: 'open', ackedBy: null, ackedAt: null }, 'America/Denver', 120).text,
    ).toBe(
      'Undelivered rate spike — T-Mobile · SMS: 45.6% (threshold 5.0%). Open since Nov 16 14:00 (America/Denver).',
    );
    expect(spikeAlertMessage(alert, 'UTC', 120).text).toBe(
      'Undelivered rate spike — T-Mobile · SMS: 45.6% (threshold 5.0%). Acknowledged by <@U0LOCAL> at Nov 16 21:10 (UTC).',
    );
  });

  it('shows no Acknowledge button once acknowledged, snoozed or not; a snooze alone is not an acknowledgement', () => {
    const buttons = (a: Alert) =>
      (spikeAlertMessage(a, 'UTC', 120).blocks.find((b) => b.type === 'actions') as any).elements.map(
        (e: any) => e.action_id,
      );
    const snoozed = {
      ...alert,
      state: 'snoozed' as const,
      snoozedBy: 'U0ANNA',
      snoozedUntil: new Date('2026-11-17T01:10:00Z'),
    };
    expect(buttons(snoozed)).toEqual(['alert_snooze', 'alert_resolve']);
    expect(stateLine(snoozed, 'UTC')).toBe(
      ':zzz: *Snoozed* by <@U0ANNA> until Nov 17 01:10 (UTC) · acknowledged by <@U0LOCAL>',
    );
    expect(buttons({ ...snoozed, ackedBy: null, ackedAt: null })).toEqual([
      'alert_ack',
      'alert_snooze',
      'alert_resolve',
    ]);
  });

  it('builds the auto-unsubscribe announcement with masked numbers, 40 a thread message', async () => {
    const list = Array.from({ length: 85 }, (_, i) => ({
      id: i + 1,
      subscriberId: i,
      accountId: 'acct_1',
      phone: `+1303555${String(1000 + i)}`,
      carrier: 'Verizon',
      at: new Date('2026-11-25T15:00:00Z'),
      campaigns: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      restoredAt: null,
      restoredBy: null,
    }));
    const parent = autoUnsubscribeSummary(list, 7);
    await expect(JSON.stringify(parent, null, 2)).toMatchFileSnapshot('__snapshots__/auto-unsubscribe-message.json');
    const parts = restoreLists(list);
    expect(parts.map((p) => p.blocks.length)).toEqual([40, 40, 5]);
    for (const m of [parent, ...parts]) expect(messageProblems(m)).toEqual([]);
    expect(JSON.stringify(parts)).not.toContain('+1303555');
    // the reason inside the row keeps its capitals past the first letter
    const mms = restoreLists([{ ...list[0]!, reasons: ['mms_unsupported'] }]);
    expect(blockTexts(mms[0]!.blocks)[0]).toBe('•••1000 · Verizon · acct_1 · 7 failed campaigns (cannot receive MMS)');
  });
});
