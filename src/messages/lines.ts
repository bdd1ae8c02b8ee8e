import { fmtInt, fmtPct } from './format';
import { escapeMrkdwn } from './mrkdwn';

/** One campaign in a list (the answer's top campaigns, the digest's campaigns sent). */
export function campaignLine(c: {
  id: string;
  name: string | null;
  segments: number;
  delivery: number | null;
}): string {
  return `• ${escapeMrkdwn(c.name ?? c.id)} — ${fmtInt(c.segments)} seg, ${fmtPct(c.delivery)} delivered`;
}

/** "(▲ 1.2 pts vs the previous 7 days)" from a `deliveryChange` of domain/rates. */
export function changeText(change: { arrow: string; points: number }, against: string): string {
  return `(${change.arrow} ${change.points.toFixed(1)} pts vs ${against})`;
}
