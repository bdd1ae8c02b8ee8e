import { isPeriodError, zoneFromWord, looksLikePeriod, resolvePeriod, type Period } from './period';

/**
 * The words of `/campaign-stats …` and `campaign-stats stats …`, in any order:
 * a period, `sms`/`mms`, `carrier:NAME` (or a known carrier's name), `campaign:NAME|ID`
 * (or a campaign id), `account:NAME|ID` (or an account id), `tz:ZONE`. Quotes group words:
 * `campaign:"Black Friday"`. Every word must be understood; none is ignored.
 */

export interface KnownNames {
  carriers: readonly string[];
  campaigns: ReadonlyArray<{ id: string; name: string | null }>;
  accounts: ReadonlyArray<{ id: string; name: string | null }>;
}

export interface ParsedQuery {
  period: Period;
  type: 'sms' | 'mms' | null;
  carrier: string | null;
  campaign: { id: string; name: string | null } | null;
  account: { id: string; name: string | null } | null;
}

export interface WordError {
  word: string;
  message: string;
}

export type ParseResult = { ok: true; query: ParsedQuery; periodGiven: boolean } | { ok: false; errors: WordError[] };

export const DEFAULT_PERIOD = '7d';

const quote = (s: string) => (/[\s"]/.test(s) ? `"${s.replace(/"/g, '')}"` : s);

/**
 * Words that reproduce a query. By default ids rather than names, so they stay short and
 * exact (what buttons carry); `names` writes the campaign and account as people know them, for
 * words shown to people (a Share's footer), falling back to the id of what has no name.
 */
export function queryToWords(q: ParsedQuery, defaultZone: string, opts: { names?: boolean } = {}): string {
  const named = (x: { id: string; name: string | null }) => quote(opts.names ? (x.name ?? x.id) : x.id);
  return [
    q.period.label,
    q.type,
    q.carrier !== null ? `carrier:${quote(q.carrier)}` : null,
    q.campaign ? `campaign:${named(q.campaign)}` : null,
    q.account ? `account:${named(q.account)}` : null,
    q.period.timezone !== defaultZone ? `tz:${q.period.timezone}` : null,
  ]
    .filter((w): w is string => w !== null)
    .join(' ');
}

export function tokenize(text: string): string[] {
  const normalised = text.replace(/[“”„]/g, '"').replace(/[‘’]/g, "'");
  const out: string[] = [];
  const re = /(\S*?)"([^"]*)"(\S*)|(\S+)/g;
  for (const m of normalised.matchAll(re)) out.push(m[4] ?? `${m[1]}${m[2]}${m[3]}`);
  return out.filter((w) => w.length > 0);
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to three known names closest to what was typed. */
export function closest(typed: string, names: readonly string[]): string[] {
  const t = norm(typed);
  return names
    .map((n) => ({ n, d: norm(n).includes(t) && t.length >= 3 ? 0 : distance(t, norm(n)) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(t.length / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 3)
    .map((x) => x.n);
}

const didYouMean = (names: string[]) => (names.length ? ` Did you mean ${names.map((n) => `"${n}"`).join(', ')}?` : '');

/** By id, else by name; a name two of them share is ambiguous (never silently one of them). */
function findNamed<T extends { id: string; name: string | null }>(
  list: readonly T[],
  typed: string,
): T | { ambiguous: T[] } | undefined {
  const byId = list.find((x) => x.id === typed);
  if (byId) return byId;
  const byName = list.filter((x) => x.name !== null && norm(x.name) === norm(typed) && norm(typed) !== '');
  return byName.length > 1 ? { ambiguous: byName } : byName[0];
}

const isAmbiguous = <T>(m: T | { ambiguous: T[] } | undefined): m is { ambiguous: T[] } =>
  typeof m === 'object' && m !== null && 'ambiguous' in m;

const candidates = (what: string, typed: string, list: ReadonlyArray<{ id: string }>) =>
  `"${typed}" names ${list.length} ${what}s: ${list.map((x) => `${what}:${x.id}`).join(', ')}. Write the one you mean by its id.`;

export function parseQueryWords(text: string, known: KnownNames, defaultZone: string, now: Date): ParseResult {
  const words = tokenize(text);
  const errors: WordError[] = [];
  let periodWord: string | null = null;
  let zone = defaultZone;
  let type: ParsedQuery['type'] = null;
  let carrier: string | null = null;
  let campaign: ParsedQuery['campaign'] = null;
  let account: ParsedQuery['account'] = null;
  const once = (word: string, what: string, already: unknown) => {
    if (already !== null) errors.push({ word, message: `"${word}": only one ${what} can be given` });
    return already === null;
  };

  for (const word of words) {
    const colon = word.indexOf(':');
    const key = colon > 0 ? word.slice(0, colon).toLowerCase() : null;
    const value = colon > 0 ? word.slice(colon + 1) : word;
    if (key !== null && !['carrier', 'campaign', 'account', 'tz', 'type', 'period'].includes(key)) {
      errors.push({
        word,
        message: `"${key}:" is not a filter I know (try carrier:, campaign:, account:, type:, period:, tz:)`,
      });
      continue;
    }
    if (key !== null && value === '') {
      errors.push({ word, message: `"${word}" needs a value after the colon` });
      continue;
    }
    if (key === 'tz') {
      const z = zoneFromWord(value);
      if (z) zone = z;
      else errors.push({ word, message: `"${value}" is not an IANA time zone (like America/Denver)` });
      continue;
    }
    if (key === 'period' || (key === null && looksLikePeriod(word))) {
      if (once(word, 'period', periodWord)) periodWord = value;
      continue;
    }
    const lower = value.toLowerCase();
    if (key === 'type' || (key === null && (lower === 'sms' || lower === 'mms'))) {
      if (lower !== 'sms' && lower !== 'mms')
        errors.push({ word, message: `"${value}" is not a message type (sms or mms)` });
      else if (once(word, 'message type', type)) type = lower;
      continue;
    }
    if (key === 'carrier' || (key === null && known.carriers.some((c) => norm(c) === norm(value)))) {
      const match = known.carriers.find((c) => norm(c) === norm(value));
      if (!match)
        errors.push({
          word,
          message: `no carrier called "${value}" has sent us anything.${didYouMean(closest(value, known.carriers))}`,
        });
      else if (once(word, 'carrier', carrier)) carrier = match;
      continue;
    }
    if (key === 'campaign' || (key === null && known.campaigns.some((c) => c.id === value))) {
      const match = findNamed(known.campaigns, value);
      if (isAmbiguous(match)) errors.push({ word, message: candidates('campaign', value, match.ambiguous) });
      else if (!match) {
        const names = known.campaigns.map((c) => c.name ?? c.id);
        errors.push({ word, message: `no campaign called "${value}".${didYouMean(closest(value, names))}` });
      } else if (once(word, 'campaign', campaign)) campaign = { id: match.id, name: match.name };
      continue;
    }
    if (key === 'account' || (key === null && known.accounts.some((a) => a.id === value))) {
      const match = findNamed(known.accounts, value);
      if (isAmbiguous(match)) errors.push({ word, message: candidates('account', value, match.ambiguous) });
      else if (!match) {
        const names = known.accounts.map((a) => a.name ?? a.id);
        errors.push({ word, message: `no account called "${value}".${didYouMean(closest(value, names))}` });
      } else if (once(word, 'account', account)) account = { id: match.id, name: match.name };
      continue;
    }
    const suggestions = closest(value, [
      ...known.carriers,
      ...known.campaigns.map((c) => c.name ?? c.id),
      'sms',
      'mms',
      'today',
      'yesterday',
      'this-week',
      'last-week',
      'this-month',
      'last-month',
    ]);
    errors.push({ word, message: `I don't understand "${word}".${didYouMean(suggestions)}` });
  }

  // words not understood that, with their neighbours, spell a campaign's name: say so, and how
  // to write it (a name of several words cannot be told from other words without quotes)
  const unknown = new Set(errors.filter((e) => e.message.startsWith("I don't understand")).map((e) => e.word));
  if (unknown.size) {
    const spelled = campaignSpelledBy(words, unknown, known.campaigns);
    if (spelled) {
      const rest = errors.filter((e) => !spelled.words.has(e.word));
      errors.length = 0;
      errors.push(...rest, {
        word: spelled.name,
        message: `"${spelled.name}" is a campaign: write campaign:"${spelled.name}" (a name of several words goes in quotes after campaign:).`,
      });
    }
  }
  const period = resolvePeriod(periodWord ?? DEFAULT_PERIOD, zone, now);
  if (isPeriodError(period)) errors.push({ word: period.word, message: period.message });
  if (errors.length || isPeriodError(period)) return { ok: false, errors };
  return { ok: true, query: { period, type, carrier, campaign, account }, periodGiven: periodWord !== null };
}

/** The longest run of the words that is exactly a campaign's name and holds every word not understood. */
function campaignSpelledBy(
  words: readonly string[],
  unknown: ReadonlySet<string>,
  campaigns: ReadonlyArray<{ id: string; name: string | null }>,
): { name: string; words: Set<string> } | null {
  const names = new Map(campaigns.filter((c) => c.name).map((c) => [norm(c.name!), c.name!]));
  let best: { name: string; words: Set<string> } | null = null;
  for (let i = 0; i < words.length; i++)
    for (let j = words.length; j > i; j--) {
      const run = words.slice(i, j);
      const name = names.get(norm(run.join(' ')));
      if (!name || ![...unknown].every((u) => run.includes(u))) continue;
      if (!best || run.length > best.words.size) best = { name, words: new Set(run) };
    }
  return best;
}

export type ControlKind = 'period' | 'type' | 'carrier' | 'campaign';

function kindOf(token: string): ControlKind | null {
  const lower = token.toLowerCase();
  if (lower.startsWith('carrier:')) return 'carrier';
  if (lower.startsWith('campaign:')) return 'campaign';
  if (lower === 'sms' || lower === 'mms' || lower.startsWith('type:')) return 'type';
  if (lower.startsWith('period:') || looksLikePeriod(lower)) return 'period';
  return null;
}

/**
 * The same words with one filter changed (from a select in Slack): `value` null removes it.
 * Words must be canonical (carriers as `carrier:NAME`), as queryToWords writes them.
 */
export function withWord(words: string, kind: ControlKind, value: string | null): string {
  const kept = tokenize(words).filter((t) => kindOf(t) !== kind);
  if (value !== null) kept.push(kind === 'carrier' || kind === 'campaign' ? `${kind}:${value}` : value);
  return kept
    .map((t) => {
      const colon = t.indexOf(':');
      return /\s/.test(t) && colon > 0 ? `${t.slice(0, colon + 1)}"${t.slice(colon + 1)}"` : t;
    })
    .join(' ');
}
