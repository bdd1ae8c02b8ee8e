import type { ChartConfiguration } from 'chart.js' with { 'resolution-mode': 'import' };
import { STATUS_LABELS, STATUSES, type Status } from '../domain/status';
import type { StatsResult } from '../stats/stats.service';

/**
 * Chart.js configurations for a stats answer, as pure data (renderers turn them into a
 * QuickChart URL or a PNG). The seven statuses always have the same colours, from the
 * Okabe–Ito palette, which stays distinguishable with the common colour-vision deficiencies.
 */
export const STATUS_COLOURS: Readonly<Record<Status, string>> = {
  queued: '#F0E442',
  failed: '#E69F00',
  ignored: '#999999',
  unreachable: '#CC79A7',
  undelivered: '#D55E00',
  delivered_unconfirmed: '#56B4E9',
  delivered_confirmed: '#009E73',
};

/** Bottom to top in the stack: deliveries at the base, problems on top where the eye lands. */
const STACK_ORDER: readonly Status[] = [
  'delivered_confirmed',
  'delivered_unconfirmed',
  'undelivered',
  'unreachable',
  'failed',
  'ignored',
  'queued',
];

export type ChartKind = 'daily' | 'carriers';

export interface ChartSpec {
  kind: ChartKind;
  config: ChartConfiguration<'bar'>;
  altText: string;
  title: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (n: number, d: number) => (d === 0 ? '0%' : `${((n / d) * 100).toFixed(1)}%`);

/** Groups the per-day series into weeks when a period is too long for readable daily bars. */
function buckets(stats: StatsResult, maxBars: number): Array<{ label: string; values: Record<Status, number> }> {
  const days = stats.series.map((d) => ({
    label: d.date.slice(5),
    values: Object.fromEntries(STATUSES.map((s) => [s, d.statuses[s].segments])) as Record<Status, number>,
  }));
  if (days.length <= maxBars) return days;
  const out: typeof days = [];
  for (let i = 0; i < days.length; i += 7) {
    const week = days.slice(i, i + 7);
    const values = Object.fromEntries(STATUSES.map((s) => [s, week.reduce((a, d) => a + d.values[s], 0)])) as Record<
      Status,
      number
    >;
    out.push({ label: `${week[0]!.label}+`, values });
  }
  return out;
}

export function dailyChart(stats: StatsResult, opts: { maxBars?: number; compact?: boolean } = {}): ChartSpec {
  const bars = buckets(stats, opts.maxBars ?? 45);
  const used = STACK_ORDER.filter((s) => bars.some((b) => b.values[s] > 0));
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: bars.map((b) => b.label),
      datasets: used.map((s) => ({
        label: STATUS_LABELS[s],
        data: bars.map((b) => b.values[s]),
        backgroundColor: STATUS_COLOURS[s],
      })),
    },
    options: opts.compact
      ? { scales: { x: { stacked: true }, y: { stacked: true } } }
      : {
          plugins: {
            title: {
              display: true,
              text: `Segments per ${bars.length === stats.series.length ? 'day' : 'week'} by status (${stats.period.timezone})`,
            },
            legend: { position: 'bottom' },
          },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
        },
  };
  return { kind: 'daily', config, altText: describe(stats), title: 'Segments by status' };
}

export function carrierChart(stats: StatsResult, top = 6): ChartSpec {
  const carriers = stats.carriers.slice(0, top);
  const used = STACK_ORDER.filter((s) => carriers.some((c) => c.statuses[s].segments > 0));
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: carriers.map((c) => c.carrier || 'Unknown'),
      datasets: used.map((s) => ({
        label: STATUS_LABELS[s],
        data: carriers.map((c) => c.statuses[s].segments),
        backgroundColor: STATUS_COLOURS[s],
      })),
    },
    options: {
      indexAxis: 'y',
      plugins: { title: { display: true, text: 'Segments by carrier and status' }, legend: { position: 'bottom' } },
      scales: { x: { stacked: true }, y: { stacked: true } },
    },
  };
  const alt = `Segments by carrier: ${carriers.map((c) => `${c.carrier || 'Unknown'} ${fmt(c.totals.segments)} (${c.rates.delivery === null ? 'no settled segments' : `${(c.rates.delivery * 100).toFixed(1)}% delivered`})`).join('; ')}.`;
  return { kind: 'carriers', config, altText: alt.slice(0, 2000), title: 'Segments by carrier' };
}

/** Alt text that states the numbers, so the message reads fully without the picture. */
export function describe(stats: StatsResult): string {
  const total = stats.totals.segments;
  const parts = STATUSES.filter((s) => stats.statuses[s].segments > 0).map(
    (s) => `${STATUS_LABELS[s]} ${fmt(stats.statuses[s].segments)} (${pct(stats.statuses[s].segments, total)})`,
  );
  const busiest = [...stats.series].sort((a, b) => b.totals.segments - a.totals.segments)[0];
  const text =
    `Stacked bars of segments per day by status, ${stats.series[0]?.date ?? ''} to ${stats.series.at(-1)?.date ?? ''} (${stats.period.timezone}). ` +
    `Total ${fmt(total)} segments: ${parts.join(', ') || 'none'}.` +
    (busiest && busiest.totals.segments > 0
      ? ` Busiest day ${busiest.date} with ${fmt(busiest.totals.segments)} segments.`
      : '');
  return text.slice(0, 2000);
}
