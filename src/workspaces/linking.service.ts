import type { Knex } from 'knex';
import { accountNames } from '../db/directory.repository';
import type { AccountScope } from '../domain/account-scope';
import { linkCodeFailuresSince, linkedAccounts, recordLinkCodeFailure } from './workspaces.repository';
import { channelsScopedTo } from '../settings/channel-settings.repository';
import { disconnectAccount, LINK_CODE_FAILURES_PER_HOUR, redeemLinkCode } from './workspaces.service';

export type ConnectOutcome =
  | { type: 'not-admin' }
  | { type: 'throttled'; limit: number; minutes: number }
  | { type: 'linked' | 'already-linked'; accountId: string; accountName: string }
  | { type: 'unknown-code' | 'expired' | 'used' };

export type AccountsOutcome =
  | { type: 'every-account' }
  | { type: 'linked'; accounts: Array<{ id: string; name: string }> };

export type DisconnectOutcome =
  | { type: 'not-admin' }
  | { type: 'no-such-account'; account: string }
  | { type: 'disconnected'; accountId: string; accountName: string; scopedChannels: string[] };

/** `/campaign-stats connect CODE`, for admins: links the code's account to the workspace. */
export async function connectWithCode(
  db: Knex,
  who: { teamId: string; userId: string; isAdmin: () => Promise<boolean> },
  code: string,
  now: Date,
): Promise<ConnectOutcome> {
  if (!(await who.isAdmin())) return { type: 'not-admin' };
  // guessing codes is slowed per workspace, across instances: 10 wrong ones an hour
  const hourAgo = new Date(now.getTime() - 3600_000);
  const failures = await linkCodeFailuresSince(db, who.teamId, hourAgo);
  if (failures.count >= LINK_CODE_FAILURES_PER_HOUR) {
    const minutes = Math.max(1, Math.ceil(((failures.oldest ?? now).getTime() + 3600_000 - now.getTime()) / 60_000));
    return { type: 'throttled', limit: LINK_CODE_FAILURES_PER_HOUR, minutes };
  }
  const r = await redeemLinkCode(db, who.teamId, who.userId, code, now);
  if (r.type === 'unknown-code' || r.type === 'expired' || r.type === 'used') {
    await recordLinkCodeFailure(db, who.teamId, now);
    return { type: r.type };
  }
  const accountName = (await accountNames(db, [r.accountId])).get(r.accountId) ?? r.accountId;
  return { type: r.type, accountId: r.accountId, accountName };
}

/** `/campaign-stats accounts`: what this workspace sees. */
export async function listWorkspaceAccounts(db: Knex, teamId: string, scope: AccountScope): Promise<AccountsOutcome> {
  if (scope.all) return { type: 'every-account' };
  const ids = await linkedAccounts(db, teamId);
  const names = await accountNames(db, ids);
  return { type: 'linked', accounts: ids.map((id) => ({ id, name: names.get(id) ?? id })) };
}

/**
 * `/campaign-stats disconnect ACCOUNT`, for admins: by id or name, among the workspace's own.
 * The caller closes what the workspace no longer sees.
 */
export async function disconnectByName(
  db: Knex,
  who: { teamId: string; settings: { teamId: string | null }; isAdmin: () => Promise<boolean> },
  account: string,
): Promise<DisconnectOutcome> {
  if (!(await who.isAdmin())) return { type: 'not-admin' };
  const ids = await linkedAccounts(db, who.teamId);
  const names = await accountNames(db, ids);
  const match = ids.find((id) => id === account || (names.get(id) ?? '').toLowerCase() === account.toLowerCase());
  if (!match || !(await disconnectAccount(db, who.teamId, match))) return { type: 'no-such-account', account };
  // channels scoped to it keep their scope, which now names nothing the workspace sees: they
  // show nothing (never a wider set of accounts) until someone re-scopes them
  const scoped = await channelsScopedTo(db, who.settings.teamId, match);
  return {
    type: 'disconnected',
    accountId: match,
    accountName: names.get(match) ?? match,
    scopedChannels: scoped.map((c) => c.channelId),
  };
}
