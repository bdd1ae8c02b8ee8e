import { notice, type SlackMessage } from '../messages/message';
import { escapeMrkdwn } from '../messages/mrkdwn';
import type { AccountsOutcome, ConnectOutcome, DisconnectOutcome } from './linking.service';

export const NOT_CONNECTED =
  'This workspace is not connected to any account yet. A workspace admin can connect one with `/campaign-stats connect CODE`, using a link code from your messaging platform.';

const ADMINS_ONLY = ':lock: Only workspace admins can connect or disconnect accounts.';

/** The answer to `/campaign-stats connect CODE`. */
export function connectMessage(o: ConnectOutcome): SlackMessage {
  switch (o.type) {
    case 'not-admin':
      return notice(ADMINS_ONLY);
    case 'throttled':
      return notice(
        `:no_entry: Too many wrong link codes from this workspace (${o.limit} in an hour). Try again in ${o.minutes} minute${o.minutes === 1 ? '' : 's'}, or ask your messaging platform for a new code.`,
      );
    case 'linked':
      return notice(
        `:white_check_mark: This workspace now sees *${escapeMrkdwn(o.accountName)}*. Try \`/campaign-stats 7d\`.`,
      );
    case 'already-linked':
      return notice(`This workspace already sees *${escapeMrkdwn(o.accountName)}*; the code is now used.`);
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

/** The answer to `/campaign-stats accounts`. */
export function accountsMessage(o: AccountsOutcome): SlackMessage {
  if (o.type === 'every-account') return notice('This workspace sees *every account* (the platform’s own workspace).');
  if (o.accounts.length === 0) return notice(NOT_CONNECTED);
  return notice(
    `*Accounts this workspace sees* (${o.accounts.length}):\n${o.accounts.map((a) => `• ${escapeMrkdwn(a.name)} (\`${escapeMrkdwn(a.id)}\`)`).join('\n')}`,
  );
}

/** The answer to `/campaign-stats disconnect ACCOUNT`. */
export function disconnectMessage(o: DisconnectOutcome): SlackMessage {
  switch (o.type) {
    case 'not-admin':
      return notice(ADMINS_ONLY);
    case 'no-such-account':
      return notice(`:warning: This workspace is not connected to an account called "${escapeMrkdwn(o.account)}".`);
    case 'disconnected': {
      const note = o.scopedChannels.length
        ? `\nChannels scoped to it now show nothing until re-scoped (\`/campaign-stats scope all\` there): ${o.scopedChannels.map((c) => `<#${c}>`).join(', ')}.`
        : '';
      return notice(`This workspace no longer sees *${escapeMrkdwn(o.accountName)}*.${note}`);
    }
  }
}
