import type { Knex } from 'knex';
import { fromDbTime, isDuplicateKey, toDbTime } from '../db/dialect';

/** Workspaces, the accounts each may see, and link codes: the only module that knows these tables. */

export interface Workspace {
  teamId: string;
  enterpriseId: string | null;
  name: string | null;
  seesAllAccounts: boolean;
  installed: boolean;
  installedAt: Date | null;
  uninstalledAt: Date | null;
}

const toWorkspace = (r: Record<string, unknown>): Workspace => ({
  teamId: r.team_id as string,
  enterpriseId: (r.enterprise_id as string | null) ?? null,
  name: (r.name as string | null) ?? null,
  seesAllAccounts: Boolean(r.sees_all_accounts),
  installed: Boolean(r.installed),
  installedAt: r.installed_at ? fromDbTime(r.installed_at) : null,
  uninstalledAt: r.uninstalled_at ? fromDbTime(r.uninstalled_at) : null,
});

type Db = Knex | Knex.Transaction;

export async function getWorkspace(db: Db, teamId: string): Promise<Workspace | null> {
  const r = await db('workspaces').first('*').where({ team_id: teamId });
  return r ? toWorkspace(r) : null;
}

export async function listWorkspaces(db: Db): Promise<Workspace[]> {
  return (await db('workspaces').select('*').orderBy('team_id')).map(toWorkspace);
}

/** Creates the workspace if new; marks it installed (a reinstall keeps its accounts and channels). */
export async function markInstalled(
  db: Db,
  w: { teamId: string; enterpriseId: string | null; name: string | null },
  now: Date,
): Promise<void> {
  await db('workspaces')
    .insert({
      team_id: w.teamId,
      enterprise_id: w.enterpriseId,
      name: w.name,
      sees_all_accounts: false,
      installed: true,
      installed_at: toDbTime(now),
    })
    .onConflict('team_id')
    .merge({
      enterprise_id: w.enterpriseId,
      name: w.name,
      installed: true,
      installed_at: toDbTime(now),
      uninstalled_at: null,
    });
}

export async function markUninstalled(db: Db, teamId: string, now: Date): Promise<void> {
  await db('workspaces')
    .where({ team_id: teamId })
    .update({ installed: false, uninstalled_at: toDbTime(now) });
}

/** The platform's own workspace sees every account; creates the row if the workspace is not installed yet. */
export async function setSeesAllAccounts(db: Db, teamId: string, seesAll: boolean): Promise<void> {
  await db('workspaces')
    .insert({ team_id: teamId, sees_all_accounts: seesAll, installed: false })
    .onConflict('team_id')
    .merge({ sees_all_accounts: seesAll });
}

export async function linkedAccounts(db: Db, teamId: string): Promise<string[]> {
  const rows = await db('workspace_accounts').select('account_id').where({ team_id: teamId }).orderBy('account_id');
  return rows.map((r: { account_id: string }) => r.account_id);
}

export async function allLinks(db: Db): Promise<Array<{ teamId: string; accountId: string }>> {
  const rows = await db('workspace_accounts').select('team_id', 'account_id').orderBy(['team_id', 'account_id']);
  return rows.map((r: { team_id: string; account_id: string }) => ({ teamId: r.team_id, accountId: r.account_id }));
}

/** Returns false when the workspace already had the account. */
export async function linkAccount(
  db: Db,
  teamId: string,
  accountId: string,
  by: string | null,
  now: Date,
): Promise<boolean> {
  try {
    await db('workspace_accounts').insert({
      team_id: teamId,
      account_id: accountId,
      linked_by: by,
      linked_at: toDbTime(now),
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function unlinkAccount(db: Db, teamId: string, accountId: string): Promise<boolean> {
  return (await db('workspace_accounts').where({ team_id: teamId, account_id: accountId }).delete()) > 0;
}

export async function insertLinkCode(
  db: Db,
  c: { codeHash: string; accountId: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db('slack_link_codes').insert({
    code_hash: c.codeHash,
    account_id: c.accountId,
    created_at: toDbTime(c.createdAt),
    expires_at: toDbTime(c.expiresAt),
  });
}

export async function findLinkCode(
  db: Db,
  codeHash: string,
): Promise<{ accountId: string; expiresAt: Date; usedAt: Date | null } | null> {
  const r = await db('slack_link_codes').first('*').where({ code_hash: codeHash });
  return r
    ? { accountId: r.account_id, expiresAt: fromDbTime(r.expires_at), usedAt: r.used_at ? fromDbTime(r.used_at) : null }
    : null;
}

/** Single use under any interleaving: only the one update that finds it unused and unexpired wins. */
export async function claimLinkCode(
  db: Db,
  codeHash: string,
  by: { teamId: string; userId: string },
  now: Date,
): Promise<boolean> {
  const n = await db('slack_link_codes')
    .where({ code_hash: codeHash })
    .whereNull('used_at')
    .andWhere('expires_at', '>', toDbTime(now))
    .update({ used_at: toDbTime(now), used_by_team: by.teamId, used_by_user: by.userId });
  return n > 0;
}

/** A wrong link code redeemed from `teamId` (counted per workspace, across instances). */
export async function recordLinkCodeFailure(db: Db, teamId: string, now: Date): Promise<void> {
  await db('link_code_failures').insert({ team_id: teamId, at: toDbTime(now) });
}

/** Wrong link codes from `teamId` since `since`, and when the oldest of them was. */
export async function linkCodeFailuresSince(
  db: Db,
  teamId: string,
  since: Date,
): Promise<{ count: number; oldest: Date | null }> {
  const r = (await db('link_code_failures')
    .where({ team_id: teamId })
    .andWhere('at', '>=', toDbTime(since))
    .count({ n: '*' })
    .min({ oldest: 'at' })
    .first()) as { n: unknown; oldest: unknown } | undefined;
  return { count: Number(r?.n ?? 0), oldest: r?.oldest ? fromDbTime(r.oldest) : null };
}

/** An OAuth install state, stored by its hash until it is used once. */
export async function insertOAuthState(db: Db, stateHash: string, installOptions: string, now: Date): Promise<void> {
  await db('oauth_states').insert({
    state_hash: stateHash,
    install_options: installOptions,
    created_at: toDbTime(now),
  });
}

/** Consumes a state made after `notBefore`: its install options the first time, null ever after. */
export async function consumeOAuthState(db: Db, stateHash: string, notBefore: Date): Promise<string | null> {
  const row = await db('oauth_states').first('install_options', 'created_at').where({ state_hash: stateHash });
  if (!row) return null;
  // the delete decides: of two redirects racing with one state, one deletes it and wins
  const deleted = await db('oauth_states').where({ state_hash: stateHash }).delete();
  if (deleted !== 1 || fromDbTime(row.created_at) < notBefore) return null;
  return row.install_options as string;
}

export async function purgeOAuthStates(db: Db, before: Date): Promise<void> {
  await db('oauth_states').where('created_at', '<', toDbTime(before)).delete();
}
