import { localDays } from '../domain/period';
import { ceilTo, floorTo, HOUR_MS } from '../domain/time-buckets';

/**
 * How a period is read. Pre-aggregated counts are kept per UTC hour; a period (or a local
 * day inside it) whose bounds are not on the hour — rolling windows, zones at :30/:45 offsets
 * — has its partial hours read from the raw messages table instead, so every answer is exact
 * and every hour read from the counts lies within one local day.
 */
export interface ReadPlan {
  days: Array<{ date: string; start: Date; end: Date }>;
  /** whole hours read from the counts: [from, to) minus `exclude` */
  hourly: { from: Date; to: Date; exclude: Date[] } | null;
  /** partial hours read from raw messages, each inside one local day */
  raw: Array<{ from: Date; to: Date; date: string }>;
}

const HOUR = HOUR_MS;
const floorHour = (t: number) => floorTo(t, HOUR);
const ceilHour = (t: number) => ceilTo(t, HOUR);

export function planReads(start: Date, end: Date, zone: string): ReadPlan {
  const days = localDays(start, end, zone);
  const raw: ReadPlan['raw'] = [];
  const covered = new Set<number>();
  for (const d of days) {
    const s = d.start.getTime();
    const e = d.end.getTime();
    const hs = ceilHour(s);
    const he = floorHour(e);
    if (hs >= he) {
      raw.push({ from: d.start, to: d.end, date: d.date });
      continue;
    }
    if (s < hs) raw.push({ from: d.start, to: new Date(hs), date: d.date });
    for (let h = hs; h < he; h += HOUR) covered.add(h);
    if (he < e) raw.push({ from: new Date(he), to: d.end, date: d.date });
  }
  if (covered.size === 0) return { days, hourly: null, raw };
  const from = Math.min(...covered);
  const to = Math.max(...covered) + HOUR;
  const exclude: Date[] = [];
  for (let h = from; h < to; h += HOUR) if (!covered.has(h)) exclude.push(new Date(h));
  return { days, hourly: { from: new Date(from), to: new Date(to), exclude }, raw };
}

/** Maps an hour read from the counts to the local day it belongs to. */
export function dayIndex(plan: ReadPlan): (hour: Date) => string | undefined {
  const starts = plan.days.map((d) => d.start.getTime());
  return (hour) => {
    const t = hour.getTime();
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && t < plan.days[found]!.end.getTime() ? plan.days[found]!.date : undefined;
  };
}
