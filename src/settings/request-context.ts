import type { ChannelSettings } from './channel-settings.repository';

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
  /** workspace admin or owner (asked of Slack once, on first use) */
  isAdmin: () => Promise<boolean>;
}
