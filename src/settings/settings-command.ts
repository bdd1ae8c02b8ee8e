import { DateTime } from 'luxon';
import { zoneFromWord } from '../domain/period';
import { MAX_RENOTIFY, parseDuration, type Mention } from '../domain/escalation';
import { WEEKDAYS, type ReportKind, type ReportSchedule } from '../domain/report-schedule';

/** Who to escalate to, as typed: a mention Slack already resolved, or an `@handle` to look up. */
export type MentionWord = Mention | { type: 'handle'; handle: string };

/** `/campaign-stats digest …`, `alerts …`, `scope …`, `at-risk`, `unsubscribed …`, parsed (pure). */
export type SettingsCommand =
  | { type: 'digest-on'; time: string | null; zone: string | null }
  | { type: 'digest-off' }
  | { type: 'digest-preview'; date: string | null }
  | { type: 'digest-empty'; post: boolean }
  | { type: 'alerts-on' }
  | { type: 'alerts-off' }
  | { type: 'alerts-status' }
  | { type: 'alerts-floor'; kind: 'undelivered' | 'unreachable'; floor: number }
  | { type: 'alerts-escalate'; afterMinutes: number | null; targets: MentionWord[] }
  | { type: 'alerts-escalate-off' }
  | { type: 'alerts-renotify'; everyMinutes: number; max: number | null }
  | { type: 'alerts-renotify-off' }
  | { type: 'alerts-quiet'; start: string; end: string; zone: string | null }
  | { type: 'alerts-quiet-off' }
  | { type: 'report-on'; schedule: ReportSchedule; zone: string | null }
  | { type: 'report-off'; kind: ReportKind }
  | { type: 'scope'; account: string | null }
  | { type: 'at-risk' }
  | { type: 'connect'; code: string }
  | { type: 'accounts' }
  | { type: 'disconnect'; account: string }
  | { type: 'unsubscribed'; period: string | null };

export type SettingsParse = { ok: true; command: SettingsCommand } | { ok: false; message: string } | null;

const SUBCOMMANDS = [
  'digest',
  'alerts',
  'report',
  'scope',
  'at-risk',
  'unsubscribed',
  'connect',
  'accounts',
  'disconnect',
];

/** null: not a settings command (the words are stats words). */
export function parseSettingsCommand(text: string): SettingsParse {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const head = words[0]?.toLowerCase();
  if (!head || !SUBCOMMANDS.includes(head)) return null;
  const rest = words.slice(1);
  const bad = (message: string): SettingsParse => ({ ok: false, message });
  switch (head) {
    case 'digest': {
      const sub = rest[0]?.toLowerCase();
      if (sub === 'off' && rest.length === 1) return { ok: true, command: { type: 'digest-off' } };
      if (sub === 'preview' && rest.length <= 2) {
        const date = rest[1] ?? null;
        if (date !== null && !(/^\d{4}-\d{2}-\d{2}$/.test(date) && DateTime.fromISO(date).isValid))
          return bad(`"${date}" is not a date like 2026-11-20.`);
        return { ok: true, command: { type: 'digest-preview', date } };
      }
      if (sub === 'empty' && (rest[1] === 'on' || rest[1] === 'off') && rest.length === 2)
        return { ok: true, command: { type: 'digest-empty', post: rest[1] === 'on' } };
      if (sub === 'on') {
        let time: string | null = null;
        let zone: string | null = null;
        for (const w of rest.slice(1)) {
          const m = /^(\d{1,2}):(\d{2})$/.exec(w);
          if (m && Number(m[1]) < 24 && Number(m[2]) < 60 && time === null) time = `${m[1]!.padStart(2, '0')}:${m[2]}`;
          else if (zoneFromWord(w) && zone === null) zone = zoneFromWord(w);
          else return bad(`"${w}" is neither a time (like 09:00) nor a time zone (like America/Denver).`);
        }
        return { ok: true, command: { type: 'digest-on', time, zone } };
      }
      return bad(
        'Use `digest on [09:00] [America/Denver]`, `digest off`, `digest preview [2026-11-20]` or `digest empty on|off`.',
      );
    }
    case 'alerts': {
      const sub = rest[0]?.toLowerCase();
      if (sub === 'on' && rest.length === 1) return { ok: true, command: { type: 'alerts-on' } };
      if (sub === 'off' && rest.length === 1) return { ok: true, command: { type: 'alerts-off' } };
      if (sub === 'status' && rest.length === 1) return { ok: true, command: { type: 'alerts-status' } };
      if ((sub === 'undelivered' || sub === 'unreachable') && rest.length === 2) {
        const m = /^(\d{1,2}(?:\.\d+)?)%$/.exec(rest[1]!);
        const floor = m ? Number(m[1]) / 100 : NaN;
        if (!m || floor <= 0 || floor >= 1)
          return bad(`"${rest[1]}" is not a percentage between 0% and 100% (like 8%).`);
        return { ok: true, command: { type: 'alerts-floor', kind: sub, floor } };
      }
      if (sub === 'escalate') return parseEscalate(rest.slice(1));
      if (sub === 'renotify') return parseRenotify(rest.slice(1));
      if (sub === 'quiet') return parseQuiet(rest.slice(1));
      return bad(
        'Use `alerts on`, `alerts off`, `alerts status`, `alerts undelivered 8%`, `alerts unreachable 6%`, `alerts escalate after 30m to @group`, `alerts renotify every 1h` or `alerts quiet 21:00-08:00`.',
      );
    }
    case 'report':
      return parseReport(rest);
    case 'scope': {
      if (rest.length === 1 && rest[0]!.toLowerCase() === 'all')
        return { ok: true, command: { type: 'scope', account: null } };
      const m = /^account:(.+)$/i.exec(rest.join(' '));
      if (m) return { ok: true, command: { type: 'scope', account: m[1]!.replace(/^"|"$/g, '') } };
      return bad('Use `scope account:ID` to limit this channel to one account, or `scope all`.');
    }
    case 'connect':
      return rest.length === 1
        ? { ok: true, command: { type: 'connect', code: rest[0]! } }
        : bad('Use `connect CODE` with the link code your messaging platform gave you (like `ABCD-EFGH-JKMN`).');
    case 'accounts':
      return rest.length
        ? bad(`\`accounts\` takes no words (got "${rest.join(' ')}").`)
        : { ok: true, command: { type: 'accounts' } };
    case 'disconnect': {
      const account = rest
        .join(' ')
        .replace(/^account:/i, '')
        .replace(/^"|"$/g, '');
      return account
        ? { ok: true, command: { type: 'disconnect', account } }
        : bad('Use `disconnect ACCOUNT` (its id or name, as `accounts` lists it).');
    }
    case 'at-risk':
      return rest.length
        ? bad(`\`at-risk\` takes no words (got "${rest.join(' ')}").`)
        : { ok: true, command: { type: 'at-risk' } };
    case 'unsubscribed':
      return rest.length > 1
        ? bad('Use `unsubscribed [period]`, e.g. `unsubscribed 7d`.')
        : { ok: true, command: { type: 'unsubscribed', period: rest[0] ?? null } };
  }
  return null;
}

const ESCALATE_USAGE =
  'Use `alerts escalate after 30m to @deliverability-oncall` (a user group or people), or `alerts escalate off`.';

/** One mention as Slack sends it (`<!subteam^S0123|@oncall>`, `<@U0123|ana>`) or as typed (`@oncall`). */
export function parseMentionWord(w: string): MentionWord | null {
  const group = /^<!subteam\^([A-Z0-9]+)(?:\|@?([^>]*))?>$/.exec(w);
  if (group) return { type: 'group', id: group[1]!, ...(group[2] ? { handle: group[2] } : {}) };
  const user = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(w);
  if (user) return { type: 'user', id: user[1]!, ...(user[2] ? { handle: user[2] } : {}) };
  const handle = /^@([a-z0-9][a-z0-9._-]{0,79})$/i.exec(w);
  return handle ? { type: 'handle', handle: handle[1]!.toLowerCase() } : null;
}

function parseEscalate(words: string[]): SettingsParse {
  const bad = (message: string): SettingsParse => ({ ok: false, message });
  if (words.length === 1 && words[0]!.toLowerCase() === 'off')
    return { ok: true, command: { type: 'alerts-escalate-off' } };
  let i = 0;
  let afterMinutes: number | null = null;
  if (words[i]?.toLowerCase() === 'after') {
    const d = words[i + 1] ? parseDuration(words[i + 1]!) : null;
    if (d === null)
      return bad(`"${words[i + 1] ?? ''}" is not a wait like 30m or 1h (1 minute to 24 hours). ${ESCALATE_USAGE}`);
    afterMinutes = d;
    i += 2;
  }
  if (words[i]?.toLowerCase() !== 'to' || i + 1 >= words.length) return bad(ESCALATE_USAGE);
  const targets: MentionWord[] = [];
  for (const w of words.slice(i + 1)) {
    const m = parseMentionWord(w);
    if (!m)
      return bad(
        `"${w}" is not a mention of a user group or a person (like @deliverability-oncall). ${ESCALATE_USAGE}`,
      );
    targets.push(m);
  }
  if (targets.length > 10) return bad('Escalate to at most 10 groups or people (a user group reaches more).');
  return { ok: true, command: { type: 'alerts-escalate', afterMinutes, targets } };
}

function parseRenotify(words: string[]): SettingsParse {
  const bad = (message: string): SettingsParse => ({ ok: false, message });
  const usage = `Use \`alerts renotify every 1h [up to 3]\` (at most ${MAX_RENOTIFY} times), or \`alerts renotify off\`.`;
  if (words.length === 1 && words[0]!.toLowerCase() === 'off')
    return { ok: true, command: { type: 'alerts-renotify-off' } };
  if (words[0]?.toLowerCase() !== 'every' || !words[1]) return bad(usage);
  const every = parseDuration(words[1]);
  if (every === null || every < 5)
    return bad(`"${words[1]}" is not an interval like 30m or 1h (5 minutes to 24 hours). ${usage}`);
  if (words.length === 2) return { ok: true, command: { type: 'alerts-renotify', everyMinutes: every, max: null } };
  const upTo =
    words.length === 5 && /^up$/i.test(words[2]!) && /^to$/i.test(words[3]!) && /^\d{1,3}$/.test(words[4]!)
      ? Number(words[4])
      : null;
  if (upTo === null || upTo < 1 || upTo > MAX_RENOTIFY) return bad(usage);
  return { ok: true, command: { type: 'alerts-renotify', everyMinutes: every, max: upTo } };
}

function parseQuiet(words: string[]): SettingsParse {
  const bad = (message: string): SettingsParse => ({ ok: false, message });
  const usage = 'Use `alerts quiet 21:00-08:00 [America/Denver]`, or `alerts quiet off`.';
  if (words.length === 1 && words[0]!.toLowerCase() === 'off')
    return { ok: true, command: { type: 'alerts-quiet-off' } };
  if (words.length < 1 || words.length > 2) return bad(usage);
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(words[0]!);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 23 || Number(m[4]) > 59)
    return bad(`"${words[0]}" is not a range of local times like 21:00-08:00. ${usage}`);
  const start = `${m[1]!.padStart(2, '0')}:${m[2]}`;
  const end = `${m[3]!.padStart(2, '0')}:${m[4]}`;
  if (start === end) return bad(`Quiet hours from ${start} to ${end} are empty or the whole day. ${usage}`);
  const zone = words[1] ? zoneFromWord(words[1]) : null;
  if (words[1] && !zone) return bad(`"${words[1]}" is not a time zone (like America/Denver). ${usage}`);
  return { ok: true, command: { type: 'alerts-quiet', start, end, zone } };
}

const REPORT_USAGE =
  'Use `report weekly on mon 09:00 [America/Denver]`, `report monthly on 1 09:00`, or `report weekly off`.';

function parseReport(words: string[]): SettingsParse {
  const bad = (message: string): SettingsParse => ({ ok: false, message });
  const kind = words[0]?.toLowerCase();
  if (kind !== 'weekly' && kind !== 'monthly') return bad(REPORT_USAGE);
  if (words.length === 2 && words[1]!.toLowerCase() === 'off')
    return { ok: true, command: { type: 'report-off', kind } };
  if (words[1]?.toLowerCase() !== 'on' || words.length < 4 || words.length > 5) return bad(REPORT_USAGE);
  const dayWord = words[2]!.toLowerCase().slice(0, 3);
  const day =
    kind === 'weekly'
      ? WEEKDAYS.indexOf(dayWord as (typeof WEEKDAYS)[number]) + 1
      : /^\d{1,2}$/.test(words[2]!)
        ? Number(words[2])
        : 0;
  if (day < 1 || day > (kind === 'weekly' ? 7 : 28))
    return bad(
      kind === 'weekly'
        ? `"${words[2]}" is not a day of the week (mon … sun). ${REPORT_USAGE}`
        : `"${words[2]}" is not a day of the month from 1 to 28 (every month has those). ${REPORT_USAGE}`,
    );
  const m = /^(\d{1,2}):(\d{2})$/.exec(words[3]!);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59)
    return bad(`"${words[3]}" is not a time like 09:00. ${REPORT_USAGE}`);
  const zone = words[4] ? zoneFromWord(words[4]) : null;
  if (words[4] && !zone) return bad(`"${words[4]}" is not a time zone (like America/Denver). ${REPORT_USAGE}`);
  return {
    ok: true,
    command: { type: 'report-on', schedule: { kind, day, time: `${m[1]!.padStart(2, '0')}:${m[2]}` }, zone },
  };
}

/** Commands that change a channel's settings need an editor; the others anyone may run. */
export function changesSettings(c: SettingsCommand): boolean {
  return !['digest-preview', 'alerts-status', 'at-risk', 'unsubscribed', 'accounts'].includes(c.type);
}

/**
 * Every `/campaign-stats` text, read by one grammar: `help`, `why [words]`, `explain [words]`, `export [words]`, a subcommand
 * (digest, alerts, scope, at-risk, unsubscribed, connect, accounts, disconnect), or stats words.
 */
export type CommandParse =
  | { kind: 'help' }
  | { kind: 'why'; words: string }
  | { kind: 'explain'; words: string }
  | { kind: 'export'; words: string }
  | { kind: 'settings'; parse: Exclude<SettingsParse, null> }
  | { kind: 'stats'; words: string };

export function parseCommand(text: string): CommandParse {
  const t = text.trim();
  if (/^help$/i.test(t)) return { kind: 'help' };
  const why = /^why(?:\s+(.*))?$/is.exec(t);
  if (why) return { kind: 'why', words: (why[1] ?? '').trim() };
  const explain = /^explain(?:\s+(.*))?$/is.exec(t);
  if (explain) return { kind: 'explain', words: (explain[1] ?? '').trim() };
  const exported = /^export(?:\s+(.*))?$/is.exec(t);
  if (exported) return { kind: 'export', words: (exported[1] ?? '').trim() };
  const settings = parseSettingsCommand(t);
  return settings ? { kind: 'settings', parse: settings } : { kind: 'stats', words: t };
}
