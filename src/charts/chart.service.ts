import { dailyChart } from './chart-config';
import { quickChartUrl } from './quickchart';
import { renderPng } from './render-png';
import type { Config } from '../config';
import type { StatsResult } from '../stats/stats.service';
import type { ChartImage } from '../messages/message';

export type UploadPng = (png: Buffer, filename: string, altText: string, title: string) => Promise<string>;

/** The chart for an answer, as CHART_RENDERER says: a QuickChart URL, an uploaded PNG, or none. */
export async function chartFor(
  stats: StatsResult,
  config: Pick<Config, 'chartRenderer' | 'quickchartUrl'>,
  upload: UploadPng,
  opts: { title?: string; filename?: string } = {},
): Promise<ChartImage> {
  if (config.chartRenderer === 'none' || stats.totals.messages === 0) return null;
  if (config.chartRenderer === 'quickchart') {
    const q = quickChartUrl(stats, 'daily', config.quickchartUrl);
    return q ? { imageUrl: q.url, altText: q.spec.altText, title: opts.title ?? q.spec.title } : null;
  }
  const spec = dailyChart(stats);
  const title = opts.title ?? spec.title;
  const png = await renderPng(spec.config);
  const fileId = await upload(png, opts.filename ?? `campaign-stats-${stats.period.label}.png`, spec.altText, title);
  return { fileId, altText: spec.altText, title };
}
