import type { Knex } from 'knex';
import { accountNames } from '../db/directory.repository';
import type { AccountScope } from '../domain/account-scope';
import { notice, type SlackMessage } from '../messages/message';
import { escapeMrkdwn } from '../messages/mrkdwn';
import { linkCodeFailuresSince, linkedAccounts, recordLinkCodeFailure } from './workspaces.repository';
import { channelsScopedTo } from '../settings/channel-settings.repository';
import { disconnectAccount, LINK_CODE_FAILURES_PER_HOUR, redeemLinkCode } from './workspaces.service';

export const NOT_CONNECTED =
  'This workspace is not connected to any account yet. A workspace admin can connect one with `/campaign-stats connect CODE`, using a link code from your messaging platform.';

const ADMINS_ONLY = ':lock: Only workspace admins can connect or disconnect accounts.';

/** `/campaign-stats connect CODE`, for admins: links the code's account to the workspace. */
export async function connectWithCode(
  db: Knex,
  who: { teamId: string; userId: string; isAdmin: () => Promise<boolean> },
  code: string,
  now: Date,
): Promise<SlackMessage> {
  if (!(await who.isAdmin())) return notice(ADMINS_ONLY);
  // guessing codes is slowed per workspace, across instances: 10 wrong ones an hour
  const hourAgo = new Date(now.getTime() - 3600_000);
  const failures = await linkCodeFailuresSince(db, who.teamId, hourAgo);
  if (failures.count >= LINK_CODE_FAILURES_PER_HOUR) {
    const minutes = Math.max(1, Math.ceil(((failures.oldest ?? now).getTime() + 3600_000 - now.getTime()) / 60_000));
    return notice(
      `:no_entry: Too many wrong link codes from this workspace (${LINK_CODE_FAILURES_PER_HOUR} in an hour). Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask your messaging platform for a new code.`,
    );
  }
  const r = await redeemLinkCode(db, who.teamId, who.userId, code, now);
  if (r.type === 'unknown-code' || r.type === 'expired' || r.type === 'used')
    await recordLinkCodeFailure(db, who.teamId, now);
  switch (r.type) {
    case 'linked':
    case 'already-linked': {
      const name = (await accountNames(db, [r.accountId])).get(r.accountId) ?? r.accountId;
      return notice(
        r.type === 'linked'
          ? `:white_check_mark: This workspace now sees *${escapeMrkdwn(name)}*. Try \`/campaign-stats 7d\`.`
          : `This workspace already sees *${escapeMrkdwn(name)}*; the code is now used.`,
      );
    }
    case 'unknown-code':
      return notice(
        ':warning: That link code is not one we issued. Check it, or ask your messaging platform for a new one.',
      );
    case 'expired':
      return notice(
        ':warning: That link code has expired (codes last 24 hours). Ask your messaging platform for a new one.',
      );
    case 'used':
      return notice(':warning: That link code has already been used. Each code links once; ask for a new one.');
  }
}

/** `/campaign-stats accounts`: what this workspace sees. */
export async function listWorkspaceAccounts(db: Knex, teamId: string, scope: AccountScope): Promise<SlackMessage> {
  if (scope.all) return notice('This workspace sees *every account* (the platform’s own workspace).');
  const ids = await linkedAccounts(db, teamId);
  if (!ids.length) return notice(NOT_CONNECTED);
  const names = await accountNames(db, ids);
  return notice(
    `*Accounts this workspace sees* (${ids.length}):\n${ids.map((id) => `• ${escapeMrkdwn(names.get(id) ?? id)} (\`${escapeMrkdwn(id)}\`)`).join('\n')}`,
  );
}

/**
 * `/campaign-stats disconnect ACCOUNT`, for admins: by id or name, among the workspace's own.
 * Returns the account taken away (the caller closes what the workspace no longer sees).
 */
export async function disconnectByName(
  db: Knex,
  who: { teamId: string; settings: { teamId: string | null }; isAdmin: () => Promise<boolean> },
  account: string,
): Promise<{ message: SlackMessage; disconnected: string | null }> {
  if (!(await who.isAdmin())) return { message: notice(ADMINS_ONLY), disconnected: null };
  const ids = await linkedAccounts(db, who.teamId);
  const names = await accountNames(db, ids);
  const match = ids.find((id) => id === account || (names.get(id) ?? '').toLowerCase() === account.toLowerCase());
  if (!match || !(await disconnectAccount(db, who.teamId, match))) {
    return {
      message: notice(`:warning: This workspace is not connected to an account called "${escapeMrkdwn(account)}".`),
      disconnected: null,
    };
  }
  // channels scoped to it keep their scope, which now names nothing the workspace sees: they
  // show nothing (never a wider set of accounts) until someone re-scopes them
  const scoped = await channelsScopedTo(db, who.settings.teamId, match);
  const note = scoped.length
    ? `\nChannels scoped to it now show nothing until re-scoped (\`/campaign-stats scope all\` there): ${scoped.map((c) => `<#${c.channelId}>`).join(', ')}.`
    : '';
  return {
    message: notice(`This workspace no longer sees *${escapeMrkdwn(names.get(match) ?? match)}*.${note}`),
    disconnected: match,
  };
}
