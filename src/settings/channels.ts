import type { Knex } from 'knex';
import type { Config } from '../config';
import {
  defaultSettings,
  getChannelSettings,
  listChannelSettings,
  teamKey,
  type ChannelSettings,
} from './channel-settings.repository';

/**
 * The channels that get digests and alerts: those set up from Slack, plus DIGEST_CHANNEL and
 * ALERT_CHANNEL, which work with no setup (a saved setting for them wins, so `digest off`
 * in that channel is respected).
 */
export async function effectiveChannels(db: Knex, config: Config): Promise<ChannelSettings[]> {
  const saved = await listChannelSettings(db);
  // env-configured channels belong to the default workspace (teamId null)
  const key = (s: { teamId: string | null; channelId: string }) => `${teamKey(s.teamId)}/${s.channelId}`;
  const byKey = new Map(saved.map((s) => [key(s), s]));
  const env = (channelId: string) => key({ teamId: null, channelId });
  if (config.digestChannel && !byKey.has(env(config.digestChannel)))
    byKey.set(env(config.digestChannel), { ...defaultSettings(config.digestChannel), digestEnabled: true });
  if (config.alertChannel) {
    const existing = byKey.get(env(config.alertChannel));
    if (!existing)
      byKey.set(env(config.alertChannel), { ...defaultSettings(config.alertChannel), alertsEnabled: true });
    else if (!saved.includes(existing)) existing.alertsEnabled = true;
  }
  return [...byKey.values()].sort(
    (a, b) => a.channelId.localeCompare(b.channelId) || teamKey(a.teamId).localeCompare(teamKey(b.teamId)),
  );
}

/** The settings of `teamId`'s workspace for a channel: its own saved row, an env default (the default workspace's), or none. */
export async function settingsFor(
  db: Knex,
  config: Config,
  teamId: string | null,
  channelId: string,
): Promise<ChannelSettings> {
  return (
    (await getChannelSettings(db, teamId, channelId)) ??
    (teamId === null
      ? (await effectiveChannels(db, config)).find((c) => c.channelId === channelId && c.teamId === null)
      : undefined) ??
    defaultSettings(channelId, teamId)
  );
}

export function zoneOf(s: ChannelSettings, config: Config): string {
  return s.timezone ?? config.defaultTimezone;
}
