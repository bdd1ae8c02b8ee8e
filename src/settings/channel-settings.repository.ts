import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';

export interface ChannelSettings {
  channelId: string;
  digestEnabled: boolean;
  digestTime: string; // HH:MM local
  timezone: string | null;
  digestWhenEmpty: boolean;
  alertsEnabled: boolean;
  undeliveredFloor: number | null;
  unreachableFloor: number | null;
  accountId: string | null;
  /** the workspace the channel belongs to; null: the default one (env-configured channels) */
  teamId: string | null;
}

const toSettings = (r: Record<string, unknown>): ChannelSettings => ({
  channelId: r.channel_id as string,
  digestEnabled: Boolean(r.digest_enabled),
  digestTime: r.digest_time as string,
  timezone: (r.timezone as string | null) ?? null,
  digestWhenEmpty: Boolean(r.digest_when_empty),
  alertsEnabled: Boolean(r.alerts_enabled),
  undeliveredFloor: r.undelivered_floor === null ? null : Number(r.undelivered_floor),
  unreachableFloor: r.unreachable_floor === null ? null : Number(r.unreachable_floor),
  accountId: (r.account_id as string | null) ?? null,
  teamId: (r.team_id as string | null) ?? null,
});

export function defaultSettings(channelId: string, teamId: string | null = null): ChannelSettings {
  return {
    channelId,
    digestEnabled: false,
    digestTime: '09:00',
    timezone: null,
    digestWhenEmpty: true,
    alertsEnabled: false,
    undeliveredFloor: null,
    unreachableFloor: null,
    accountId: null,
    teamId,
  };
}

export async function getChannelSettings(db: Knex, channelId: string): Promise<ChannelSettings | null> {
  const r = await db('channel_settings').first('*').where({ channel_id: channelId });
  return r ? toSettings(r) : null;
}

export async function listChannelSettings(db: Knex): Promise<ChannelSettings[]> {
  return (await db('channel_settings').select('*').orderBy('channel_id')).map(toSettings);
}

export async function saveChannelSettings(db: Knex, s: ChannelSettings, by: string, now: Date): Promise<void> {
  const row = {
    channel_id: s.channelId,
    digest_enabled: s.digestEnabled,
    digest_time: s.digestTime,
    timezone: s.timezone,
    digest_when_empty: s.digestWhenEmpty,
    alerts_enabled: s.alertsEnabled,
    undelivered_floor: s.undeliveredFloor,
    unreachable_floor: s.unreachableFloor,
    account_id: s.accountId,
    team_id: s.teamId,
    updated_by: by,
    updated_at: toDbTime(now),
  };
  await db('channel_settings').insert(row).onConflict('channel_id').merge();
}
