import { describe, expect, it } from 'vitest';
import { resolvePeriod, type Period } from '../../../src/domain/period';
import { emptyStatusCounts, STATUSES } from '../../../src/domain/status';
import { helpMessage, wordErrorsMessage } from '../../../src/slack/blocks/help.blocks';
import { maskPhone } from '../../../src/messages/mrkdwn';
import { SHARES_NOTE, statsMessage, whyMessage, wordsFromControlsBlock } from '../../../src/stats/stats.blocks';
import { blockTexts } from '../../helpers/slack';
import { messageProblems } from '../../../src/messages/block-limits';
import { queryToWords, type StatsView } from '../../../src/stats/stats-view.service';
import { breakdown, type ReasonCount, type StatsResult } from '../../../src/stats/stats.service';
import { quickChartUrl } from '../../../src/charts/quickchart';
import { withWord } from '../../../src/domain/query-words';

const NOW = new Date('2026-11-28T15:30:00Z');

const SAMPLE_REASONS = [
  {
    status: 'undelivered',
    reason: 'carrier_filtered',
    label: 'Carrier-blocked (filtered as spam)',
    attribution: 'carrier',
    segments: 310,
    messages: 155,
  },
  {
    status: 'unreachable',
    reason: 'handset_unreachable',
    label: 'Handset unreachable',
    attribution: 'recipient',
    segments: 60,
    messages: 30,
  },
  {
    status: 'failed',
    reason: 'sender_unregistered',
    label: 'Sender not registered or verified',
    attribution: 'sender',
    segments: 24,
    messages: 12,
  },
  {
    status: 'undelivered',
    reason: 'carrier_error',
    label: 'Carrier error (no reason given)',
    attribution: 'carrier',
    segments: 14,
    messages: 7,
  },
  {
    status: 'unreachable',
    reason: 'invalid_number',
    label: 'Invalid number',
    attribution: 'recipient',
    segments: 6,
    messages: 3,
  },
  {
    status: 'failed',
    reason: 'invalid_number',
    label: 'Invalid number',
    attribution: 'recipient',
    segments: 2,
    messages: 1,
  },
] as ReasonCount[];

function fakeView(
  opts: { carriers?: number; campaigns?: number; nameLength?: number; days?: string; reasons?: ReasonCount[] } = {},
): StatsView {
  const period = resolvePeriod(opts.days ?? '30d', 'America/Denver', NOW) as Period;
  const statuses = emptyStatusCounts();
  for (const [i, s] of STATUSES.entries()) statuses[s] = { segments: (i + 1) * 1234, messages: (i + 1) * 1000 };
  const b = breakdown(statuses);
  const series = Array.from({ length: 30 }, (_, d) => {
    const st = emptyStatusCounts();
    for (const [i, s] of STATUSES.entries()) st[s] = { segments: ((d * 7 + i * 13) % 50) * 10 + 999, messages: 10 };
    return { date: `2026-11-${String(d + 1).padStart(2, '0')}`, statuses: st, totals: breakdown(st).totals };
  });
  const stats: StatsResult = {
    period: {
      start: '2026-10-30T00:00:00-06:00',
      end: '2026-11-29T00:00:00-07:00',
      timezone: 'America/Denver',
      label: period.label,
    },
    filters: { type: null, carrier: null, campaign: null, account: null },
    ...b,
    provisional: true,
    provisional_note: 'Provisional: this period includes the last 72 hours, and delivery receipts are still arriving.',
    series,
    carriers: Array.from({ length: opts.carriers ?? 3 }, (_, i) => ({
      carrier: `Carrier ${'x'.repeat(opts.nameLength ?? 0)}${i}`,
      ...b,
    })),
    campaigns_count: opts.campaigns ?? 3,
    reasons: opts.reasons ?? [],
    campaigns: Array.from({ length: opts.campaigns ?? 3 }, (_, i) => ({
      id: `cmp_${i}`,
      name: `Campaign <${i}> & ${'y'.repeat(opts.nameLength ?? 0)}`,
      account_id: 'acct_1',
      ...b,
    })),
  };
  const query = { period, type: null, carrier: null, campaign: null, account: null };
  return {
    query,
    words: queryToWords(query, 'America/Denver'),
    stats,
    previousDeliveryRate: 0.9,
    carriers: stats.carriers.map((c) => c.carrier),
    defaultZone: 'America/Denver',
  };
}

describe('Block Kit builders', () => {
  it('builds the stats answer exactly (snapshot)', async () => {
    const view = fakeView();
    const chart = quickChartUrl(view.stats, 'daily', 'https://quickchart.io');
    const msg = statsMessage(
      view,
      chart && { imageUrl: chart.url, altText: chart.spec.altText, title: chart.spec.title },
      { version: 42 },
    );
    await expect(JSON.stringify(msg, null, 2)).toMatchFileSnapshot('__snapshots__/stats-message.json');
    expect(messageProblems(msg)).toEqual([]);
  });
  it('keeps the path of a self-hosted QUICKCHART_URL', () => {
    const view = fakeView();
    expect(quickChartUrl(view.stats, 'daily', 'https://charts.example.com/quickchart')!.url).toMatch(
      /^https:\/\/charts\.example\.com\/quickchart\/chart\?/,
    );
    expect(quickChartUrl(view.stats, 'daily', 'http://localhost:3400/')!.url).toMatch(
      /^http:\/\/localhost:3400\/chart\?/,
    );
  });

  it('shows the top reasons under Failed, Unreachable and Undelivered, and the why view with advice (snapshots)', async () => {
    const view = fakeView({ reasons: SAMPLE_REASONS });
    const msg = statsMessage(view, null);
    const why = blockTexts(msg.blocks).find((t) => t.startsWith('*Why*'));
    expect(why).toBe(
      '*Why* (messages; `/campaign-stats why` for advice)\n' +
        '• Failed: Sender not registered or verified 12 · Invalid number 1\n' +
        '• Unreachable: Handset unreachable 30 · Invalid number 3\n' +
        '• Undelivered: Carrier-blocked (filtered as spam) 155 · Carrier error (no reason given) 7',
    );
    await expect(JSON.stringify(msg, null, 2)).toMatchFileSnapshot('__snapshots__/stats-message-reasons.json');
    const full = whyMessage(view);
    await expect(JSON.stringify(full, null, 2)).toMatchFileSnapshot('__snapshots__/why-message.json');
    expect(messageProblems(full)).toEqual([]);
    expect(blockTexts(full.blocks)[3]).toMatch(
      /^\*The numbers \(recipient\)\* · 16\.3%\n• \*Handset unreachable\* \(Unreachable\) — 30 msgs, 60 seg, 14\.4% of failures\n {3}_The phone was off/,
    );
  });

  it('says what each share is of, under the figures', () => {
    expect(blockTexts(statsMessage(fakeView(), null).blocks)).toContain(SHARES_NOTE);
    expect(SHARES_NOTE).toBe(
      'Shares by status are of all segments; the delivery rate is of settled segments (everything but Queued and Ignored).',
    );
  });

  it('builds the shared copy without controls (snapshot)', async () => {
    const msg = statsMessage(fakeView(), null, { shared: { by: 'U2147483697' } });
    await expect(JSON.stringify(msg, null, 2)).toMatchFileSnapshot('__snapshots__/stats-message-shared.json');
    expect(messageProblems(msg)).toEqual([]);
  });

  it('builds help and error replies (snapshots)', async () => {
    await expect(JSON.stringify(helpMessage('America/Denver'), null, 2)).toMatchFileSnapshot(
      '../slack/__snapshots__/help-message.json',
    );
    const err = wordErrorsMessage([{ word: 'banana', message: 'I don\'t understand "banana".' }]);
    await expect(JSON.stringify(err, null, 2)).toMatchFileSnapshot('../slack/__snapshots__/word-errors-message.json');
    expect(messageProblems(helpMessage('UTC'))).toEqual([]);
    expect(messageProblems(err)).toEqual([]);
  });

  it('stays inside Slack’s limits with 500 carriers, 5,000 campaigns and 200-character names', () => {
    const view = fakeView({ carriers: 500, campaigns: 5000, nameLength: 200 });
    const chart = quickChartUrl(view.stats, 'daily', 'https://quickchart.io');
    expect(chart!.url.length).toBeLessThanOrEqual(3000);
    expect(
      messageProblems(
        statsMessage(view, { imageUrl: chart!.url, altText: chart!.spec.altText, title: chart!.spec.title }),
      ),
    ).toEqual([]);
    expect(
      messageProblems(
        wordErrorsMessage(
          Array.from({ length: 200 }, (_, i) => ({
            word: `w${i}`,
            message: `I don't understand "${'z'.repeat(50)}${i}".`,
          })),
        ),
      ),
    ).toEqual([]);
  });

  it('carries the words in the controls block and changes one filter at a time', () => {
    const view = fakeView();
    const controls = statsMessage(view, null).blocks.find((b) => b.type === 'actions')!;
    expect(wordsFromControlsBlock(controls.block_id!)).toBe('30d');
    expect(withWord('30d mms carrier:"US Cellular" campaign:cmp_1', 'carrier', 'AT&T')).toBe(
      '30d mms campaign:cmp_1 carrier:AT&T',
    );
    expect(withWord('30d mms carrier:Verizon', 'carrier', 'US Cellular')).toBe('30d mms carrier:"US Cellular"');
    expect(withWord('30d mms carrier:Verizon', 'type', null)).toBe('30d carrier:Verizon');
    expect(withWord('30d mms', 'period', 'last-month')).toBe('mms last-month');
  });

  it('never shows a phone number whole', () => {
    expect(maskPhone('+13035550123')).toBe('•••0123');
  });
});
