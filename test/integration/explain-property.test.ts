import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformScope } from '../../src/domain/account-scope';
import { DIMENSIONS, explainChange, topCauses, type Change } from '../../src/domain/explain';
import { isPeriodError, previousPeriod, resolvePeriod, type Period } from '../../src/domain/period';
import { computeRates, settled } from '../../src/domain/rates';
import { ingestMessages } from '../../src/ingest/ingest.service';
import type { MessageRecord } from '../../src/ingest/schemas';
import { changeInput, explainStats, outcomesOf } from '../../src/stats/explain.service';
import { changeWords } from '../../src/stats/explain.blocks';
import { getStats } from '../../src/stats/stats.service';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';

/**
 * Issue 18: the change in the delivery rate, split into carriers, campaigns, types and reasons.
 * For random data in two periods, within each dimension the contributions add up to the change
 * shown (the answer's own rates); a change made of one carrier's failures is that carrier's.
 */
const computeSettled = (s: Parameters<typeof settled>[0]) => settled(s, 'segments');
const NOW = new Date('2026-11-28T15:30:00Z');
const ZONE = 'America/Denver';
const CARRIERS = ['Verizon', 'AT&T', 'T-Mobile', 'US Cellular'];
const STATUSES = [
  ['delivered_confirmed', null],
  ['delivered_unconfirmed', null],
  ['undelivered', 30007],
  ['undelivered', 30003],
  ['unreachable', 30005],
  ['failed', 30008],
  ['queued', null],
] as const;
const period = (): Period => {
  const p = resolvePeriod('7d', ZONE, NOW);
  if (isPeriodError(p)) throw new Error(p.message);
  return p;
};

type Spec = {
  day: number;
  carrier: number;
  campaign: number;
  mms: boolean;
  segments: number;
  status: number;
  /** minutes from the middle of the day (-720 to 719: anywhere in it; partial hours of rolling periods) */
  minute?: number;
};

let n = 0;
function record(s: Spec): MessageRecord {
  n++;
  const [status, code] = STATUSES[s.status]!;
  return {
    provider_message_id: `SM${String(n).padStart(32, '0')}`,
    account_id: `acct_${s.campaign % 2}`,
    campaign_id: `cmp_${s.campaign}`,
    to: `+1303555${String(1000 + (n % 900))}`,
    carrier: CARRIERS[s.carrier]!,
    type: s.mms ? 'mms' : 'sms',
    segments: s.segments,
    status,
    error_code: code,
    // 14 days back: the first half is the previous period of "7d"
    sent_at: new Date(NOW.getTime() - (s.day + 0.5) * 86_400_000 + (s.minute ?? 0) * 60_000).toISOString(),
  } as MessageRecord;
}

const specs = fc.array(
  fc.record({
    day: fc.integer({ min: 0, max: 13 }),
    carrier: fc.integer({ min: 0, max: 3 }),
    campaign: fc.integer({ min: 0, max: 5 }),
    mms: fc.boolean(),
    segments: fc.integer({ min: 1, max: 60 }),
    status: fc.integer({ min: 0, max: STATUSES.length - 1 }),
    minute: fc.integer({ min: -720, max: 719 }),
  }),
  { minLength: 20, maxLength: 120 },
);

describe.each(ENGINES)('what changed, explained (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
  });
  afterAll(async () => tdb?.drop());

  const query = (): {
    period: Period;
    type: 'sms' | 'mms' | null;
    carrier: string | null;
    campaign: null;
    account: { id: string; name: string | null } | null;
    accounts: ReturnType<typeof platformScope>;
  } => ({
    period: period(),
    type: null,
    carrier: null,
    campaign: null,
    account: null,
    accounts: platformScope('benchmarks and tests'),
  });

  it('adds up to the change shown, within each dimension, for random data', async () => {
    await fc.assert(
      fc.asyncProperty(specs, async (list) => {
        await truncateAll(tdb.db);
        const r = await ingestMessages(tdb.db, list.map(record), { now: NOW, mmsSegments: 1 });
        expect(r.ok).toBe(true);
        const { change } = await explainStats(tdb.db, query(), NOW);
        const after = await getStats(tdb.db, query(), NOW);
        const before = await getStats(tdb.db, { ...query(), period: previousPeriod(period()) }, NOW);
        const r1 = computeRates(after.statuses).delivery;
        const r0 = computeRates(before.statuses).delivery;
        if (r0 === null || r1 === null) {
          expect(change).toBeNull();
          return;
        }
        expect(change).not.toBeNull();
        expect(change!.delta_pts).toBeCloseTo((r1 - r0) * 100, 9);
        for (const d of DIMENSIONS) {
          const sum = change!.contributions.filter((c) => c.dimension === d).reduce((a, c) => a + c.pts, 0);
          expect(sum, d).toBeCloseTo(change!.delta_pts, 9);
          for (const c of change!.contributions.filter((x) => x.dimension === d))
            expect(c.pts).toBeCloseTo(c.rate_pts + c.mix_pts, 9);
        }
      }),
      { numRuns: engine === 'sqlite' ? 40 : 20 },
    );
  });

  /** The change computed the slow way: both periods' full answers, the type split from two MMS-only answers. */
  async function slowChange(q: ReturnType<typeof query>): Promise<Change | null> {
    const prev = { ...q, period: previousPeriod(q.period) };
    const full = async (x: typeof q) => {
      const all = await getStats(tdb.db, x, NOW, { allCampaigns: true });
      const mms = (await getStats(tdb.db, { ...x, type: 'mms' }, NOW, { totalsOnly: true })).statuses;
      const o = outcomesOf(all);
      const d = (s: typeof mms) => s.delivered_confirmed.segments + s.delivered_unconfirmed.segments;
      const st = (s: typeof mms) => computeSettled(s);
      o.types = [
        { key: 'sms', label: 'SMS', delivered: d(all.statuses) - d(mms), settled: st(all.statuses) - st(mms) },
        { key: 'mms', label: 'MMS', delivered: d(mms), settled: st(mms) },
      ].filter((g) => g.settled !== 0 || g.delivered !== 0);
      return o;
    };
    return explainChange(changeInput(await full(prev), await full(q), q.type === null));
  }
  const shape = (c: Change | null) =>
    c && {
      ...c,
      contributions: c.contributions
        .map((x) => ({
          d: x.dimension,
          // explainStats names the pooled small campaigns as it names campaigns past the first 20
          k: x.dimension === 'campaign' && x.key === '(smaller)' ? '(other campaigns)' : x.key,
          pts: x.pts.toFixed(9),
          rate: x.rate_pts.toFixed(9),
          mix: x.mix_pts.toFixed(9),
          v: x.volume,
        }))
        .sort((a, b) => `${a.d}|${a.k}`.localeCompare(`${b.d}|${b.k}`)),
    };

  it('reads the period before summed, and explains exactly as the two full answers do (any period and filters)', async () => {
    const shapes = fc.record({
      words: fc.constantFrom('7d', '36h', '3d', '2026-11-20..2026-11-22'),
      account: fc.constantFrom(null, 'acct_0'),
      type: fc.constantFrom(null, 'mms' as const),
      carrier: fc.constantFrom(null, 'AT&T'),
    });
    await fc.assert(
      fc.asyncProperty(specs, shapes, async (list, sh) => {
        await truncateAll(tdb.db);
        expect((await ingestMessages(tdb.db, list.map(record), { now: NOW, mmsSegments: 1 })).ok).toBe(true);
        const p = resolvePeriod(sh.words, ZONE, NOW);
        if (isPeriodError(p)) throw new Error(p.message);
        const q = {
          ...query(),
          period: p,
          type: sh.type,
          carrier: sh.carrier,
          account: sh.account ? { id: sh.account, name: null } : null,
        };
        const fast = await explainStats(tdb.db, q, NOW);
        expect(shape(fast.change)).toEqual(shape(await slowChange(q)));
        const before = await getStats(tdb.db, { ...q, period: previousPeriod(p) }, NOW);
        expect(fast.before.statuses).toEqual(before.statuses);
        expect(fast.before.totals).toEqual(before.totals);
      }),
      { numRuns: engine === 'sqlite' ? 40 : 20 },
    );
  });

  it('attributes a change made of one carrier’s failures to that carrier', async () => {
    await truncateAll(tdb.db);
    const both: Spec[] = [];
    for (let day = 0; day < 14; day++)
      for (let carrier = 0; carrier < 4; carrier++)
        for (let campaign = 0; campaign < 3; campaign++)
          both.push({ day, carrier, campaign, mms: campaign === 2, segments: 10, status: 0 });
    // this week, T-Mobile's messages fail with carrier filtering; nothing else moves
    const after = period().start.getTime();
    const inAfter = (s: Spec) => NOW.getTime() - (s.day + 0.5) * 86_400_000 >= after;
    const list = both.map((s) => (inAfter(s) && s.carrier === 2 ? { ...s, status: 2 } : s));
    expect((await ingestMessages(tdb.db, list.map(record), { now: NOW, mmsSegments: 1 })).ok).toBe(true);
    const change = (await explainStats(tdb.db, query(), NOW)).change!;
    expect(change.delta_pts).toBeCloseTo(-25, 9);
    const carriers = change.contributions.filter((c) => c.dimension === 'carrier');
    expect(carriers[0]).toMatchObject({ key: 'T-Mobile' });
    expect(carriers[0]!.mix_pts).toBeCloseTo(0, 9);
    expect(carriers[0]!.pts).toBeCloseTo(-25, 9);
    for (const c of carriers.slice(1)) expect(c.pts).toBeCloseTo(0, 9);
    const reasons = change.contributions.filter((c) => c.dimension === 'reason');
    expect(reasons[0]).toMatchObject({ key: 'carrier_filtered' });
    expect(reasons[0]!.pts).toBeCloseTo(-25, 9);
    const { causes, reason } = topCauses(change);
    expect(causes[0]).toMatchObject({ dimension: 'carrier', key: 'T-Mobile' });
    expect(reason).toMatchObject({ key: 'carrier_filtered' });
  });

  /** 10 messages of 10 segments a day per carrier, both weeks; this week, `fails(carrier)` of them fail. */
  async function weeks(
    fails: (carrier: number) => { n: number; status: number },
    /** which of the day's messages fail (default: the first n) and their campaign (default: two, taking turns) */
    opts: { failing?: (i: number, n: number) => boolean; campaign?: (i: number, day: number) => number } = {},
  ) {
    await truncateAll(tdb.db);
    const after = period().start.getTime();
    const list: Spec[] = [];
    for (let day = 0; day < 14; day++)
      for (let carrier = 0; carrier < 4; carrier++)
        for (let i = 0; i < 10; i++) {
          const inAfter = NOW.getTime() - (day + 0.5) * 86_400_000 >= after;
          const f = fails(carrier);
          // two campaigns, taking turns by day: each takes its share of the failures
          list.push({
            day,
            carrier,
            campaign: opts.campaign ? opts.campaign(i, day) : (i + day) % 2,
            mms: false,
            segments: 10,
            status: inAfter && (opts.failing ? opts.failing(i, f.n) : i < f.n) ? f.status : 0,
          });
        }
    expect((await ingestMessages(tdb.db, list.map(record), { now: NOW, mmsSegments: 1 })).ok).toBe(true);
    return (await explainStats(tdb.db, query(), NOW)).change!;
  }

  it('names the first cause’s own reason, not the change’s largest, and not the one type there is', async () => {
    // T-Mobile: 3 in 10 carrier-filtered; the three others: 2 in 10 invalid numbers each (more in all)
    const change = await weeks((c) => (c === 2 ? { n: 3, status: 2 } : { n: 2, status: 4 }));
    expect(change.delta_pts).toBeCloseTo(-22.5, 9);
    const reasons = change.contributions.filter((c) => c.dimension === 'reason');
    expect(reasons.map((r) => [r.key, r.pts.toFixed(2)])).toEqual([
      ['invalid_number', '-15.00'],
      ['carrier_filtered', '-7.50'],
    ]);
    const tmobile = change.contributions.find((c) => c.key === 'T-Mobile')!;
    expect(tmobile.why).toEqual({ key: 'carrier_filtered', label: 'Carrier-blocked (filtered as spam)', pts: -30 });
    const words = changeWords(change)!;
    expect(words.startsWith('*T-Mobile* ▼ 7.5 (mostly carrier-blocked (filtered as spam))')).toBe(true);
    // every message is an SMS: the one type explains nothing and is not named
    expect(words).not.toContain('SMS');
  });

  it('names the campaign that made most of the first carrier’s change, beside its reason', async () => {
    // T-Mobile: its first 3 messages a day (campaign 0) carrier-filtered; the others: their last 2
    // (campaigns 1 and 2) invalid numbers. Every campaign moves the rate as much (▼ 7.5 each).
    const change = await weeks((c) => (c === 2 ? { n: 3, status: 2 } : { n: 2, status: 4 }), {
      failing: (i, n) => (n === 3 ? i < 3 : i >= 8),
      campaign: (i) => (i < 3 ? 0 : 1 + (i % 2)),
    });
    expect(change.delta_pts).toBeCloseTo(-22.5, 9);
    const tmobile = change.contributions.find((c) => c.key === 'T-Mobile')!;
    expect(tmobile.mostly).toEqual({ key: 'cmp_0', label: 'cmp_0', pts: -30 });
    expect(
      changeWords(change)!.startsWith('*T-Mobile* ▼ 7.5 (carrier-blocked (filtered as spam), mostly *cmp_0*)'),
    ).toBe(true);
    // when T-Mobile's failures are spread over both campaigns, neither made most of it: none named
    const spread = await weeks((c) => (c === 2 ? { n: 4, status: 2 } : { n: 2, status: 4 }));
    expect(spread.contributions.find((c) => c.key === 'T-Mobile')!.mostly).toBeUndefined();
  });

  it('says a change no group moved more than its share of is across the board', async () => {
    const change = await weeks(() => ({ n: 2, status: 4 }));
    expect(change.delta_pts).toBeCloseTo(-20, 9);
    expect(changeWords(change)).toBe(
      'across the board: no carrier, campaign or type more than its share (mostly invalid number)',
    );
  });

  it('does not blame a group too small to judge: it is pooled with the other small ones', async () => {
    await truncateAll(tdb.db);
    const list: Spec[] = [];
    for (let day = 0; day < 14; day++) list.push({ day, carrier: 0, campaign: 0, mms: false, segments: 40, status: 0 });
    // US Cellular: 3 segments last week, all failed — a 100 % failure on nearly nothing
    list.push({ day: 2, carrier: 3, campaign: 0, mms: false, segments: 3, status: 2 });
    expect((await ingestMessages(tdb.db, list.map(record), { now: NOW, mmsSegments: 1 })).ok).toBe(true);
    const change = (await explainStats(tdb.db, query(), NOW)).change!;
    const carriers = change.contributions.filter((c) => c.dimension === 'carrier');
    expect(carriers.map((c) => c.label).sort()).toEqual(['1 smaller carrier', 'Verizon'].sort());
    expect(topCauses(change).causes.map((c) => c.label)).not.toContain('US Cellular');
    expect(topCauses(change).causes.map((c) => c.label)).not.toContain('1 smaller carrier');
  });
});
