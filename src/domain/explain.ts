/**
 * What changed (issue 18): a change in the delivery rate between two periods, split exactly
 * into the contributions of carriers, campaigns, message types and failure reasons.
 *
 * The delivery rate is R = D / S (delivered over settled segments: domain/rates.ts). With the
 * settled segments split into groups g (each carrier, say), R = Σ w_g r_g where w_g = S_g / S is
 * the group's share and r_g = D_g / S_g its own rate. Between two periods (0, then 1):
 *
 *   R1 − R0 = Σ_g [ w̄_g (r1_g − r0_g) ]            rate effect: the group's own rate moved
 *           + Σ_g [ (w1_g − w0_g) (r̄_g − R̄) ]       mix effect: its share moved
 *
 * where w̄, r̄ are the two periods' means and R̄ the mean overall rate. This is exact (not an
 * approximation): w1 r1 − w0 r0 = w̄ Δr + r̄ Δw for each group, and Σ Δw = 0 lets the mix term
 * be measured against the average, so a group whose share grew is blamed only if its rate is
 * below the average. A group absent from one period takes its other period's rate there: all of
 * its effect is mix. Within each dimension the contributions add up to the change.
 *
 * Failure reasons split the change differently: 1 − R = Σ_k F_k / S over the failure reasons k
 * (with "no reason recorded" for failures without one), so reason k contributes
 * −(F1_k / S1 − F0_k / S0): a rate effect only.
 *
 * Small groups are not blamed on noise: a group with fewer than MIN_SEGMENTS settled segments
 * in the two periods together is pooled with the other small ones into one row ("N smaller
 * carriers"), which stays in the sums; words name only contributions of at least MIN_NAMED_PTS.
 */

export type Dimension = 'carrier' | 'campaign' | 'type' | 'reason';
export const DIMENSIONS: readonly Dimension[] = ['carrier', 'campaign', 'type', 'reason'];

/** Settled segments below which a group is pooled with the other small ones. */
export const MIN_SEGMENTS = 100;
/** Contributions smaller than this (percentage points) are not named in words. */
export const MIN_NAMED_PTS = 0.1;

/** One group's delivered and settled segments in a period. */
export interface GroupOutcome {
  key: string;
  label: string;
  delivered: number;
  settled: number;
}

/** One failure reason's segments in a period. */
export interface ReasonOutcome {
  key: string;
  label: string;
  failed: number;
}

export interface Period2<T> {
  before: T;
  after: T;
}

export interface ChangeInput {
  totals: Period2<{ delivered: number; settled: number }>;
  /** each dimension's groups, which must partition the settled segments of each period */
  groups: Partial<Record<Exclude<Dimension, 'reason'>, Period2<GroupOutcome[]>>>;
  reasons?: Period2<ReasonOutcome[]>;
}

export interface Contribution {
  dimension: Dimension;
  key: string;
  label: string;
  /** percentage points */
  rate_pts: number;
  mix_pts: number;
  pts: number;
  /** settled segments before and after (failed segments, for a reason) */
  volume: { before: number; after: number };
  /** its share of the settled segments before and after (0 to 1) */
  share: { before: number; after: number };
  /**
   * The failure reason that moved this group's own rate most (points of the group's rate): given
   * for the first cause an answer names, read within that group alone (see groupReason).
   */
  why?: { key: string; label: string; pts: number };
  /**
   * For a carrier named first: the campaign that made at least two thirds of that carrier's
   * own change (points of the carrier's rate; see campaignWithin).
   */
  mostly?: { key: string; label: string; pts: number };
}

export interface Change {
  /** what moved: the delivery rate (answers, digests), or an alert's failure rate */
  metric: 'delivery_rate' | 'failure_rate';
  from: number;
  to: number;
  delta_pts: number;
  contributions: Contribution[];
}

const SMALL_KEY = '(smaller)';
const NO_REASON_KEY = '(no reason recorded)';
/** The key of a row summing the campaigns an explanation does not list one by one. */
export const OTHER_CAMPAIGNS_KEY = '(other campaigns)';
const NOUNS: Record<Dimension, string> = { carrier: 'carrier', campaign: 'campaign', type: 'type', reason: 'reason' };
const smaller = (n: number, d: Dimension) => `${n} smaller ${NOUNS[d]}${n === 1 ? '' : 's'}`;

/** Groups too small to judge, pooled into one (kept in the sums). */
function pool(keys: string[], volume: (key: string) => number): { kept: string[]; small: string[] } {
  const small = keys.filter((k) => volume(k) < MIN_SEGMENTS);
  return { kept: keys.filter((k) => volume(k) >= MIN_SEGMENTS), small };
}

function groupContributions(
  dimension: Exclude<Dimension, 'reason'>,
  p: Period2<GroupOutcome[]>,
  R0: number,
  R1: number,
  S0: number,
  S1: number,
): Contribution[] {
  const before = new Map(p.before.map((g) => [g.key, g]));
  const after = new Map(p.after.map((g) => [g.key, g]));
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const settled = (m: Map<string, GroupOutcome>, k: string) => m.get(k)?.settled ?? 0;
  const { kept, small } = pool(keys, (k) => settled(before, k) + settled(after, k));
  const sum = (m: Map<string, GroupOutcome>, ks: string[], f: 'delivered' | 'settled') =>
    ks.reduce((a, k) => a + (m.get(k)?.[f] ?? 0), 0);
  const rows: Array<{ key: string; label: string; d0: number; s0: number; d1: number; s1: number }> = kept.map((k) => ({
    key: k,
    label: (after.get(k) ?? before.get(k))!.label,
    d0: before.get(k)?.delivered ?? 0,
    s0: settled(before, k),
    d1: after.get(k)?.delivered ?? 0,
    s1: settled(after, k),
  }));
  if (small.length)
    rows.push({
      key: SMALL_KEY,
      label: smaller(small.length, dimension),
      d0: sum(before, small, 'delivered'),
      s0: sum(before, small, 'settled'),
      d1: sum(after, small, 'delivered'),
      s1: sum(after, small, 'settled'),
    });
  const Rbar = (R0 + R1) / 2;
  return rows.map((g) => {
    const w0 = S0 === 0 ? 0 : g.s0 / S0;
    const w1 = S1 === 0 ? 0 : g.s1 / S1;
    const own0 = g.s0 === 0 ? null : g.d0 / g.s0;
    const own1 = g.s1 === 0 ? null : g.d1 / g.s1;
    const r0 = own0 ?? own1 ?? 0;
    const r1 = own1 ?? own0 ?? 0;
    const rate = ((w0 + w1) / 2) * (r1 - r0) * 100;
    const mix = (w1 - w0) * ((r0 + r1) / 2 - Rbar) * 100;
    return {
      dimension,
      key: g.key,
      label: g.label,
      rate_pts: rate,
      mix_pts: mix,
      pts: rate + mix,
      volume: { before: g.s0, after: g.s1 },
      share: { before: w0, after: w1 },
    };
  });
}

function reasonContributions(
  p: Period2<ReasonOutcome[]>,
  totals: Period2<{ delivered: number; settled: number }>,
): Contribution[] {
  const { before: t0, after: t1 } = totals;
  const before = new Map(p.before.map((r) => [r.key, r]));
  const after = new Map(p.after.map((r) => [r.key, r]));
  const failed = (m: Map<string, ReasonOutcome>, k: string) => m.get(k)?.failed ?? 0;
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const { kept, small } = pool(keys, (k) => failed(before, k) + failed(after, k));
  const rows = kept.map((k) => ({
    key: k,
    label: (after.get(k) ?? before.get(k))!.label,
    f0: failed(before, k),
    f1: failed(after, k),
  }));
  if (small.length)
    rows.push({
      key: SMALL_KEY,
      label: smaller(small.length, 'reason'),
      f0: small.reduce((a, k) => a + failed(before, k), 0),
      f1: small.reduce((a, k) => a + failed(after, k), 0),
    });
  // settled but neither delivered nor given a reason: its own row, so the sums stay exact
  const rest0 = t0.settled - t0.delivered - rows.reduce((a, r) => a + r.f0, 0);
  const rest1 = t1.settled - t1.delivered - rows.reduce((a, r) => a + r.f1, 0);
  if (rest0 !== 0 || rest1 !== 0) rows.push({ key: NO_REASON_KEY, label: 'no reason recorded', f0: rest0, f1: rest1 });
  const share = (f: number, s: number) => (s === 0 ? 0 : f / s);
  return rows.map((r) => {
    const pts = -(share(r.f1, t1.settled) - share(r.f0, t0.settled)) * 100;
    return {
      dimension: 'reason' as const,
      key: r.key,
      label: r.label,
      rate_pts: pts,
      mix_pts: 0,
      pts,
      volume: { before: r.f0, after: r.f1 },
      share: { before: share(r.f0, t0.settled), after: share(r.f1, t1.settled) },
    };
  });
}

/**
 * The change in the delivery rate and its contributions, largest first within each dimension;
 * null when either period has nothing settled (no rate to compare).
 */
export function explainChange(
  input: ChangeInput,
  /** a failure rate is the same arithmetic with the failures as "delivered" (an alert's kind) */
  metric: Change['metric'] = 'delivery_rate',
): Change | null {
  const { before: t0, after: t1 } = input.totals;
  if (t0.settled === 0 || t1.settled === 0) return null;
  const R0 = t0.delivered / t0.settled;
  const R1 = t1.delivered / t1.settled;
  const contributions: Contribution[] = [];
  for (const dimension of ['carrier', 'campaign', 'type'] as const) {
    const p = input.groups[dimension];
    if (p) contributions.push(...byMagnitude(groupContributions(dimension, p, R0, R1, t0.settled, t1.settled)));
  }
  if (input.reasons) contributions.push(...byMagnitude(reasonContributions(input.reasons, input.totals)));
  return { metric, from: R0, to: R1, delta_pts: (R1 - R0) * 100, contributions };
}

const byMagnitude = (cs: Contribution[]) =>
  cs.sort((a, b) => Math.abs(b.pts) - Math.abs(a.pts) || a.key.localeCompare(b.key));

/** A pooled or residual row: never named on its own in words. */
export const isNamed = (c: Contribution) =>
  c.key !== SMALL_KEY && c.key !== NO_REASON_KEY && c.key !== OTHER_CAMPAIGNS_KEY;

/**
 * How much more than its size a group moved the rate: its contribution less its average share
 * of the change. A group that only moved with everyone (SMS when nearly everything is SMS, the
 * one campaign of a day) has none; within a dimension these add up to zero.
 */
export const excessPts = (c: Contribution, delta: number) => c.pts - ((c.share.before + c.share.after) / 2) * delta;

/**
 * The contributions worth naming, at most three, across carriers, campaigns and types, those
 * that moved the rate most beyond their size first (excessPts; reasons say why, not where: the
 * largest reason is given beside them). Each pulls the same way as the change, by at least
 * MIN_NAMED_PTS, and more than its share of it. None: the change was across the board.
 */
export function topCauses(change: Change, n = 3): { causes: Contribution[]; reason: Contribution | null } {
  const d = change.delta_pts;
  const pulls = (x: number) => Math.abs(x) >= MIN_NAMED_PTS && Math.sign(x) === Math.sign(d);
  const named = change.contributions.filter(
    (c) => c.dimension !== 'reason' && isNamed(c) && pulls(c.pts) && pulls(excessPts(c, d)),
  );
  const causes = [...named]
    .sort((a, b) => Math.abs(excessPts(b, d)) - Math.abs(excessPts(a, d)) || a.key.localeCompare(b.key))
    .slice(0, n);
  const reason = change.contributions.find((c) => c.dimension === 'reason' && isNamed(c) && pulls(c.pts)) ?? null;
  return { causes, reason };
}

/** A group in both periods whose own rate moved (by MIN_NAMED_PTS) the way of its contribution: worth a why. */
export const ownRateMoved = (c: Contribution) =>
  c.dimension !== 'reason' &&
  c.volume.before > 0 &&
  c.volume.after > 0 &&
  Math.abs(c.rate_pts) >= MIN_NAMED_PTS &&
  Math.sign(c.rate_pts) === Math.sign(c.pts);

/**
 * Of a group whose own rate moved (a carrier, a campaign, a type), the failure reason that moved
 * it most: reason k took −Δ(F_k / S_g) points of the group's rate, where F_k are the group's
 * failed segments for k and S_g its settled segments (`group.volume`). Null when the group's
 * rate did not move the way of its contribution, or no reason worth naming (MIN_SEGMENTS
 * failed, MIN_NAMED_PTS) moved it that way.
 */
export function groupReason(group: Contribution, reasons: Period2<ReasonOutcome[]>): Contribution['why'] | null {
  if (!ownRateMoved(group)) return null;
  const { before: s0, after: s1 } = group.volume;
  const sign = Math.sign(group.pts);
  const failed = (rs: ReasonOutcome[]) => rs.reduce((a, r) => a + r.failed, 0);
  const totals = {
    before: { delivered: s0 - failed(reasons.before), settled: s0 },
    after: { delivered: s1 - failed(reasons.after), settled: s1 },
  };
  const best = byMagnitude(reasonContributions(reasons, totals)).find(
    (c) => isNamed(c) && Math.abs(c.pts) >= MIN_NAMED_PTS && Math.sign(c.pts) === sign,
  );
  return best ? { key: best.key, label: best.label, pts: best.pts } : null;
}

const REST_KEY = '(rest of the group)';
/** The part of a group's change one campaign must make to be said to have made it "mostly". */
export const MOSTLY = 2 / 3;

/**
 * Of a group's change (a carrier's, say), the campaign that made most of it: each candidate's
 * contribution within the group (rate and mix, in points of the group's own rate), the rest of
 * the group being one remainder so the split is exact. Named only when it made at least two
 * thirds of the group's change (MOSTLY) and pulls its way; null otherwise (and when either
 * period has nothing).
 */
export function campaignWithin(
  group: Period2<{ delivered: number; settled: number }>,
  candidates: Period2<GroupOutcome[]>,
): { key: string; label: string; pts: number } | null {
  const rest = (p: 'before' | 'after'): GroupOutcome => ({
    key: REST_KEY,
    label: REST_KEY,
    delivered: group[p].delivered - candidates[p].reduce((a, g) => a + g.delivered, 0),
    settled: group[p].settled - candidates[p].reduce((a, g) => a + g.settled, 0),
  });
  const change = explainChange({
    totals: group,
    groups: {
      campaign: { before: [...candidates.before, rest('before')], after: [...candidates.after, rest('after')] },
    },
  });
  if (!change) return null;
  const d = change.delta_pts;
  const best = change.contributions.find(
    (c) =>
      c.key !== REST_KEY &&
      isNamed(c) &&
      Math.sign(c.pts) === Math.sign(d) &&
      Math.abs(c.pts) >= MIN_NAMED_PTS &&
      Math.abs(c.pts) >= MOSTLY * Math.abs(d),
  );
  return best ? { key: best.key, label: best.label, pts: best.pts } : null;
}
