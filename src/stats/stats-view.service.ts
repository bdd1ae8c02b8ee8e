import type { Knex } from 'knex';
import type { AccountScope } from '../domain/account-scope';
import { campaignSpan, loadDirectory, type Directory } from '../db/directory.repository';
import { lifeWord, looksLikePeriod } from '../domain/period';
import { parseQueryWords, queryToWords, tokenize, type ParsedQuery, type WordError } from '../domain/query-words';
import { computeRates } from '../domain/rates';
import type { StatsResult } from './stats.service';
import { explainStats } from './explain.service';
import type { Change } from '../domain/explain';

/** Everything a stats answer in Slack shows, gathered without any Slack I/O. */
export interface StatsView {
  query: ParsedQuery;
  /** the canonical words for this answer: period, type, carrier, campaign, account, zone */
  words: string;
  stats: StatsResult;
  previousDeliveryRate: number | null;
  /** the change in the delivery rate against the period before, explained (null: nothing to compare) */
  change: Change | null;
  carriers: string[];
  defaultZone: string;
}

export { queryToWords };

export type StatsViewResult = { ok: true; view: StatsView } | { ok: false; errors: WordError[] };

/** A parsed query bound to the accounts the request may see: the engine counts only those. */
export type ScopedQuery = ParsedQuery & { accounts: AccountScope };

export type QueryResult = { ok: true; query: ScopedQuery; directory: Directory } | { ok: false; errors: WordError[] };

/**
 * Words → query, the same for Slack and the CLI. A campaign with no period covers the
 * campaign's whole life (its first to its last send, in local days).
 */
export async function resolveQuery(
  db: Knex,
  text: string,
  zone: string,
  now: Date,
  accounts: AccountScope,
): Promise<QueryResult> {
  // campaign and account names are loaded only when a word may name one
  const needsNames = tokenize(text).some(
    (w) => !/^(carrier|tz|type|period):/i.test(w) && !looksLikePeriod(w) && !/^(sms|mms)$/i.test(w),
  );
  const directory = await loadDirectory(db, { names: needsNames, accounts });
  const parsed = parseQueryWords(text, directory, zone, now);
  if (!parsed.ok) return parsed;
  if (parsed.query.campaign && !parsed.periodGiven) {
    const span = await campaignSpan(db, parsed.query.campaign.id, accounts);
    if (span) {
      const again = parseQueryWords(
        `${text} ${lifeWord(span.first, span.last, parsed.query.period.timezone)}`,
        directory,
        zone,
        now,
      );
      if (again.ok) return { ok: true, query: { ...again.query, accounts }, directory };
    }
  }
  return { ok: true, query: { ...parsed.query, accounts }, directory };
}

export async function buildStatsView(
  db: Knex,
  text: string,
  zone: string,
  now: Date,
  accounts: AccountScope,
): Promise<StatsViewResult> {
  const resolved = await resolveQuery(db, text, zone, now, accounts);
  if (!resolved.ok) return resolved;
  const { query: q, directory } = resolved;
  // the answer and the period before it, in full: what changed between them is explained
  const { change, after: stats, before: previous } = await explainStats(db, q, now);
  return {
    ok: true,
    view: {
      query: q,
      words: queryToWords(q, zone),
      stats,
      previousDeliveryRate: computeRates(previous.statuses).delivery,
      change,
      carriers: directory.carriers,
      defaultZone: zone,
    },
  };
}
