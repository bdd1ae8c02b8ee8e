import { describe, expect, it } from 'vitest';
import { resolvePeriod, type Period } from '../../../src/domain/period';
import { emptyStatusCounts, STATUSES } from '../../../src/domain/status';
import { helpMessage, wordErrorsMessage } from '../../../src/slack/blocks/help.blocks';
import { maskPhone } from '../../../src/messages/mrkdwn';
import {
  decodeStack,
  SHARES_NOTE,
  stackFromDrillBlock,
  statsMessage,
  whyMessage,
  wordsFromControlsBlock,
} from '../../../src/stats/stats.blocks';
import { exportMessage } from '../../../src/stats/export.blocks';
import { blockTexts } from '../../helpers/slack';
import { messageProblems } from '../../../src/messages/block-limits';
import { queryToWords, type StatsView } from '../../../src/stats/stats-view.service';
import { breakdown, type ReasonCount, type StatsResult } from '../../../src/stats/stats.service';
import { quickChartUrl } from '../../../src/charts/quickchart';
import { withWord } from '../../../src/domain/query-words';
import { explainChange, type Change, type ChangeInput } from '../../../src/domain/explain';
import { explainAnswer } from '../../../src/stats/stats.blocks';
import { changeWords, formatChange, reasonWords } from '../../../src/stats/explain.blocks';

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
  opts: {
    carriers?: number;
    campaigns?: number;
    nameLength?: number;
    days?: string;
    reasons?: ReasonCount[];
    change?: Change | null;
  } = {},
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
    types: [{ type: 'sms', ...b }],
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
    change: opts.change ?? null,
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
  it('says what changed under the delivery rate, and explains it in full (snapshots)', async () => {
    const g = (key: string, delivered: number, settled: number) => ({ key, label: key, delivered, settled });
    // T-Mobile's rate fell; MMS delivered less and took a larger share (rate ▼ 3.15 + mix ▼ 1.05); Verizon slipped
    const input: ChangeInput = {
      totals: { before: { delivered: 9310, settled: 10000 }, after: { delivered: 8890, settled: 10000 } },
      groups: {
        carrier: {
          before: [g('T-Mobile', 3720, 4000), g('Verizon', 3720, 4000), g('AT&T', 1870, 2000)],
          after: [g('T-Mobile', 3330, 4000), g('Verizon', 3690, 4000), g('AT&T', 1870, 2000)],
        },
        campaign: {
          before: [g('Black Friday MMS', 2790, 3000), g('Cyber Monday', 6520, 7000)],
          after: [g('Black Friday MMS', 2430, 3000), g('Cyber Monday', 6460, 7000)],
        },
        type: {
          before: [g('SMS', 8400, 9000), g('MMS', 910, 1000)],
          after: [g('SMS', 7490, 8000), g('MMS', 1400, 2000)],
        },
      },
      reasons: {
        before: [{ key: 'carrier_filtered', label: 'Carrier filtering', failed: 400 }],
        after: [{ key: 'carrier_filtered', label: 'Carrier filtering', failed: 800 }],
      },
    };
    const change = explainChange(input)!;
    const view = fakeView({ change });
    const msg = statsMessage(view, null);
    expect(blockTexts(msg.blocks)[2]!.split('\n')[2]).toBe(
      'What changed: *MMS* ▼ 4.2, *Black Friday MMS* ▼ 3.6, *T-Mobile* ▼ 3.9; overall mostly carrier filtering · `explain` for the whole table',
    );
    // ranked by how much more than its share each moved it: MMS (a sixth of the sends) ▼ 4.2 first
    // the first cause's own reason, when read within it, goes in brackets instead
    const withWhy = {
      ...change,
      contributions: change.contributions.map((c) =>
        c.key === 'MMS' ? { ...c, why: { key: 'carrier_filtered', label: 'Carrier filtering', pts: -24.5 } } : c,
      ),
    };
    expect(changeWords(withWhy)).toBe(
      '*MMS* ▼ 4.2 (mostly carrier filtering), *Black Friday MMS* ▼ 3.6, *T-Mobile* ▼ 3.9',
    );
    // a reason keeps its capitals past the first letter; a rate that rose had fewer failures
    const why = (label: string, pts: number) => ({
      ...change,
      contributions: change.contributions.map((c) => (c.key === 'MMS' ? { ...c, why: { key: 'x', label, pts } } : c)),
    });
    expect(changeWords(why('Cannot receive MMS', -24.5))).toMatch(/^\*MMS\* ▼ 4\.2 \(mostly cannot receive MMS\), /);
    expect(reasonWords({ label: 'Replied STOP', pts: 3 })).toBe('fewer failures: replied STOP');
    expect(reasonWords({ label: 'Replied STOP', pts: -3 })).toBe('mostly replied STOP');
    const full = explainAnswer(view);
    await expect(JSON.stringify(full, null, 2)).toMatchFileSnapshot('__snapshots__/explain-message.json');
    expect(messageProblems(full)).toEqual([]);
    await expect(formatChange(change, 'the previous 30 days')).toMatchFileSnapshot('__snapshots__/explain-table.txt');
    // within Slack's limits with 500 carriers and 5,000 campaigns of 200-character names
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => g(`${prefix}${'x'.repeat(200)}${i}`, 90 + (i % 7), 100));
    const big = explainChange({
      totals: { before: { delivered: 450_000, settled: 500_000 }, after: { delivered: 470_000, settled: 500_000 } },
      groups: {
        carrier: { before: many(500, 'c'), after: many(500, 'c').reverse() },
        campaign: { before: many(5000, 'p'), after: many(5000, 'p').slice(1) },
      },
    })!;
    expect(messageProblems(explainAnswer(fakeView({ change: big })))).toEqual([]);
    expect(messageProblems(statsMessage(fakeView({ change: big }), null))).toEqual([]);
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

  it('redraws a drilled-down answer with its way back, and says what an export did (snapshots)', async () => {
    // Campaign ▸ from "30d" then "30d sms": the redraw carries both steps, Back returns to the last
    const msg = statsMessage(fakeView(), null, { version: 7, back: ['30d', '30d sms'] });
    await expect(JSON.stringify(msg, null, 2)).toMatchFileSnapshot('__snapshots__/stats-message-drilled.json');
    expect(messageProblems(msg)).toEqual([]);
    const drill = msg.blocks.find((b) => String(b.block_id).startsWith('drill:')) as {
      block_id: string;
      elements: any[];
    };
    const back = drill.elements.find((e) => e.action_id === 'stats_back');
    expect(decodeStack(back.value)).toEqual(['30d', '30d sms']);
    expect(stackFromDrillBlock(drill.block_id)).toEqual(['30d', '30d sms', fakeView().words]);
    const sent = exportMessage({ type: 'sent', title: '30d sms carrier:"T-Mobile"', rows: 7065, reasonRows: 212 });
    const tooLarge = exportMessage({ type: 'too-large', title: '400d', max: 200_000, days: 183, daysTotal: 400 });
    await expect(JSON.stringify([sent, tooLarge], null, 2)).toMatchFileSnapshot('__snapshots__/export-messages.json');
    expect(sent.text).toBe(
      ':page_facing_up: Sent you the export of `30d sms carrier:"T-Mobile"` in a direct message: 7,065 rows (day × campaign × carrier × type × status) and 212 rows of reasons.',
    );
    for (const m of [sent, tooLarge]) expect(messageProblems(m)).toEqual([]);
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
