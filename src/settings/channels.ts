import type { Knex } from 'knex';
import type { Config } from '../config';
import {
  defaultSettings,
  getChannelSettings,
  listChannelSettings,
  type ChannelSettings,
} from './channel-settings.repository';

/**
 * The channels that get digests and alerts: those set up from Slack, plus DIGEST_CHANNEL and
 * ALERT_CHANNEL, which work with no setup (a saved setting for them wins, so `digest off`
 * in that channel is respected).
 */
export async function effectiveChannels(db: Knex, config: Config): Promise<ChannelSettings[]> {
  const saved = await listChannelSettings(db);
  const byId = new Map(saved.map((s) => [s.channelId, s]));
  if (config.digestChannel && !byId.has(config.digestChannel))
    byId.set(config.digestChannel, { ...defaultSettings(config.digestChannel), digestEnabled: true });
  if (config.alertChannel) {
    const existing = byId.get(config.alertChannel);
    if (!existing) byId.set(config.alertChannel, { ...defaultSettings(config.alertChannel), alertsEnabled: true });
    else if (!saved.some((s) => s.channelId === config.alertChannel)) existing.alertsEnabled = true;
  }
  return [...byId.values()].sort((a, b) => a.channelId.localeCompare(b.channelId));
}

export async function settingsFor(db: Knex, config: Config, channelId: string): Promise<ChannelSettings> {
  return (
    (await getChannelSettings(db, channelId)) ??
    (await effectiveChannels(db, config)).find((c) => c.channelId === channelId) ??
    defaultSettings(channelId)
  );
}

export function zoneOf(s: ChannelSettings, config: Config): string {
  return s.timezone ?? config.defaultTimezone;
}
