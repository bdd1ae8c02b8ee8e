import type { Knex } from 'knex';
import { loadDirectory } from '../db/directory.repository';
import { looksLikePeriod, previousPeriod } from '../domain/period';
import { parseQueryWords, tokenize, type ParsedQuery, type WordError } from '../domain/query-words';
import { computeRates } from '../domain/rates';
import { getStats, type StatsResult } from '../stats/stats.service';

/** Everything a stats answer in Slack shows, gathered without any Slack I/O. */
export interface StatsView {
  query: ParsedQuery;
  /** the canonical words for this answer: period, type, carrier, campaign, account, zone */
  words: string;
  stats: StatsResult;
  previousDeliveryRate: number | null;
  carriers: string[];
  defaultZone: string;
}

export type StatsViewResult = { ok: true; view: StatsView } | { ok: false; errors: WordError[] };

const quote = (s: string) => (/[\s"]/.test(s) ? `"${s.replace(/"/g, '')}"` : s);

/** Words that reproduce a query (ids rather than names, so they stay short and exact). */
export function queryToWords(q: ParsedQuery, defaultZone: string): string {
  return [
    q.period.label,
    q.type,
    q.carrier !== null ? `carrier:${quote(q.carrier)}` : null,
    q.campaign ? `campaign:${quote(q.campaign.id)}` : null,
    q.account ? `account:${quote(q.account.id)}` : null,
    q.period.timezone !== defaultZone ? `tz:${q.period.timezone}` : null,
  ]
    .filter((w): w is string => w !== null)
    .join(' ');
}

export async function buildStatsView(db: Knex, text: string, zone: string, now: Date): Promise<StatsViewResult> {
  // campaign and account names are loaded only when a word may name one
  const needsNames = tokenize(text).some((w) => !/^(carrier|tz|type|period):/i.test(w) && !looksLikePeriod(w) && !/^(sms|mms)$/i.test(w));
  const directory = await loadDirectory(db, { names: needsNames });
  const parsed = parseQueryWords(text, directory, zone, now);
  if (!parsed.ok) return parsed;
  const q = parsed.query;
  const [stats, previous] = await Promise.all([getStats(db, q, now), getStats(db, { ...q, period: previousPeriod(q.period) }, now, { totalsOnly: true })]);
  return {
    ok: true,
    view: {
      query: q,
      words: queryToWords(q, zone),
      stats,
      previousDeliveryRate: computeRates(previous.statuses).delivery,
      carriers: directory.carriers,
      defaultZone: zone,
    },
  };
}
