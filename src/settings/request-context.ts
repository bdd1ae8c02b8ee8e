import type { AccountScope } from '../domain/account-scope';
import type { ChannelSettings } from './channel-settings.repository';
import type { Mention } from '../domain/escalation';

/**
 * Who is asking, where, and what they may see: resolved once per Slack request by the edge
 * and passed down to every service, so a select redraw, a Share and a button all answer in
 * the same zone and scope as the command that drew them.
 */
export interface RequestContext {
  teamId: string;
  channelId: string;
  userId: string;
  /** the channel's zone, else DEFAULT_TIMEZONE */
  zone: string;
  /** the channel's saved (or env-default) settings, its `scope account:…` included */
  settings: ChannelSettings;
  /** the accounts the workspace may see (its links, or every account for the platform's own) */
  workspaceAccounts: AccountScope;
  /** what this request may see: the workspace's accounts narrowed by the channel's scope */
  accounts: AccountScope;
  /** workspace admin or owner (asked of Slack once, on first use) */
  isAdmin: () => Promise<boolean>;
  /** a user group's or a person's `@handle` in this workspace, as a mention (null: no such one) */
  resolveMention: (handle: string) => Promise<Mention | null>;
}
