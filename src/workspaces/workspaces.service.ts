import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { ensureAccounts } from '../db/directory.repository';
import { inTransaction } from '../db/dialect';
import { platformScope, narrowTo, onlyAccounts, type AccountScope } from '../domain/account-scope';
import {
  claimLinkCode,
  findLinkCode,
  getWorkspace,
  insertLinkCode,
  linkAccount,
  linkedAccounts,
  unlinkAccount,
} from './workspaces.repository';

export type SlackMode = 'local' | 'single' | 'distribution';

/**
 * The accounts a workspace may see. Single-workspace mode: every account (one team, as before).
 * Otherwise: every account for the platform's own workspace (`grant-all`), else exactly the
 * accounts linked to it — none for a workspace nobody has linked.
 */
export async function workspaceAccounts(db: Knex, mode: SlackMode, teamId: string | null): Promise<AccountScope> {
  if (mode === 'single') return platformScope('single-workspace mode');
  if (!teamId) return onlyAccounts([]);
  const w = await getWorkspace(db, teamId);
  if (w?.seesAllAccounts) return platformScope('platform workspace');
  return onlyAccounts(await linkedAccounts(db, teamId));
}

/** What a channel sees: its workspace's accounts, narrowed by its `scope account:…`. */
export async function channelAccounts(
  db: Knex,
  mode: SlackMode,
  teamId: string | null,
  scopeAccount: string | null,
): Promise<AccountScope> {
  return narrowTo(await workspaceAccounts(db, mode, teamId), scopeAccount);
}

/** The same for many channels at once, in two queries (an alert evaluation over every channel); in their order. */
export async function manyChannelsAccounts(
  db: Knex,
  mode: SlackMode,
  channels: ReadonlyArray<{ channelId: string; teamId: string | null; accountId: string | null }>,
): Promise<AccountScope[]> {
  if (mode === 'single') return channels.map((c) => narrowTo(platformScope('single-workspace mode'), c.accountId));
  const teams = [...new Set(channels.map((c) => c.teamId).filter((t): t is string => t !== null))];
  const seesAll = new Set<string>();
  const links = new Map<string, string[]>();
  for (let i = 0; i < teams.length; i += 500) {
    const chunk = teams.slice(i, i + 500);
    const [ws, ls] = await Promise.all([
      db('workspaces').select('team_id').whereIn('team_id', chunk).andWhere('sees_all_accounts', true),
      db('workspace_accounts').select('team_id', 'account_id').whereIn('team_id', chunk),
    ]);
    for (const w of ws as Array<{ team_id: string }>) seesAll.add(w.team_id);
    for (const l of ls as Array<{ team_id: string; account_id: string }>)
      links.set(l.team_id, (links.get(l.team_id) ?? []).concat(l.account_id));
  }
  return channels.map((c) => {
    const team = c.teamId;
    const scope =
      team === null
        ? onlyAccounts([])
        : seesAll.has(team)
          ? platformScope('platform workspace')
          : onlyAccounts(links.get(team) ?? []);
    return narrowTo(scope, c.accountId);
  });
}

export const LINK_CODE_HOURS = 24;
export const LINK_CODE_LENGTH = 16;
/** wrong link codes a workspace may try in an hour before it is told to wait */
export const LINK_CODE_FAILURES_PER_HOUR = 10;
// no 0/O, 1/I/L: codes are read aloud and typed
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const hash = (code: string) => crypto.createHash('sha256').update(normaliseCode(code)).digest('hex');
const normaliseCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** A single-use code that links a workspace to `accountId`, valid 24 hours; only its hash is stored. */
export async function issueLinkCode(
  db: Knex,
  accountId: string,
  now: Date,
): Promise<{ code: string; expiresAt: Date }> {
  // 16 characters of 31, drawn without modulo bias: 16 × log2(31) ≈ 79 bits
  const chars = Array.from({ length: LINK_CODE_LENGTH }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join('');
  const code = chars.match(/.{4}/g)!.join('-');
  const expiresAt = new Date(now.getTime() + LINK_CODE_HOURS * 3600_000);
  await inTransaction(db, async (trx) => {
    await ensureAccounts(trx, [{ id: accountId, name: null }], now);
    await insertLinkCode(trx, { codeHash: hash(code), accountId, createdAt: now, expiresAt });
  });
  return { code, expiresAt };
}

export type RedeemResult =
  | { type: 'linked'; accountId: string }
  | { type: 'already-linked'; accountId: string }
  | { type: 'unknown-code' }
  | { type: 'expired' }
  | { type: 'used' };

/** `/campaign-stats connect CODE`: the code is claimed (once, whatever the interleaving), then the link made. */
export async function redeemLinkCode(
  db: Knex,
  teamId: string,
  userId: string,
  code: string,
  now: Date,
): Promise<RedeemResult> {
  const h = hash(code);
  return inTransaction(db, async (trx) => {
    const found = await findLinkCode(trx, h);
    if (!found) return { type: 'unknown-code' as const };
    if (found.usedAt) return { type: 'used' as const };
    if (found.expiresAt <= now) return { type: 'expired' as const };
    if (!(await claimLinkCode(trx, h, { teamId, userId }, now))) return { type: 'used' as const };
    const added = await linkAccount(trx, teamId, found.accountId, userId, now);
    return { type: added ? ('linked' as const) : ('already-linked' as const), accountId: found.accountId };
  });
}

export async function disconnectAccount(db: Knex, teamId: string, accountId: string): Promise<boolean> {
  return unlinkAccount(db, teamId, accountId);
}
