import QuickChart from 'quickchart-js';
import type { StatsResult } from '../stats/stats.service';
import { carrierChart, dailyChart, type ChartKind, type ChartSpec } from './chart-config';

/** Slack refuses image URLs longer than this. */
export const MAX_IMAGE_URL = 3000;

function urlFor(spec: ChartSpec, host: string): string {
  const u = new URL(host);
  const chart = new QuickChart();
  chart
    .setConfig(spec.config as never)
    .setHost(u.host)
    .setScheme(u.protocol.replace(':', ''))
    .setVersion('4')
    .setWidth(700)
    .setHeight(360)
    .setFormat('png')
    .setBackgroundColor('white');
  // quickchart-js builds scheme://host/chart?…; a self-hosted instance may live under a path
  const url = chart.getUrl();
  return `${host.replace(/\/+$/, '')}${url.slice(url.indexOf('/chart?'))}`;
}

/**
 * A QuickChart image URL within Slack's limit: the full chart, else the same data with a
 * compact config, else weekly bars, else nothing (the alt text still states the numbers).
 */
export function quickChartUrl(
  stats: StatsResult,
  kind: ChartKind,
  host: string,
): { url: string; spec: ChartSpec } | null {
  const candidates: ChartSpec[] =
    kind === 'carriers'
      ? [carrierChart(stats), carrierChart(stats, 4)]
      : [
          dailyChart(stats),
          dailyChart(stats, { compact: true }),
          dailyChart(stats, { compact: true, maxBars: 14 }),
          dailyChart(stats, { compact: true, maxBars: 7 }),
        ];
  for (const spec of candidates) {
    const url = urlFor(spec, host);
    if (url.length <= MAX_IMAGE_URL) return { url, spec };
  }
  return null;
}
