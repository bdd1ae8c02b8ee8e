/**
 * The buckets the counts are kept in (UTC hours, 15-minute quarters, UTC days): their sizes
 * and the arithmetic on them, in one place for the grains, the read plan and the alert reads.
 */
export const QUARTER_MS = 900_000;
export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

export const floorTo = (t: number, size: number) => Math.floor(t / size) * size;
export const ceilTo = (t: number, size: number) => Math.ceil(t / size) * size;

export const hourOfDate = (d: Date) => new Date(floorTo(d.getTime(), HOUR_MS));
export const quarterOfDate = (d: Date) => new Date(floorTo(d.getTime(), QUARTER_MS));
export const dayOfDate = (d: Date) => new Date(floorTo(d.getTime(), DAY_MS));
/** whether a range starts and ends on `size` bounds */
export const onBounds = (p: { from: Date; to: Date }, size: number) =>
  p.from.getTime() % size === 0 && p.to.getTime() % size === 0;
