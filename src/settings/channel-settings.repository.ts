import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';
import { DEFAULT_RENOTIFY_MAX, type Mention } from '../domain/escalation';
import { parseSchedule, scheduleText, type ReportSchedule } from '../domain/report-schedule';

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
  /**
   * the workspace whose settings these are: a channel belongs to (workspace, channel), so in a
   * Slack Connect channel each workspace has its own. null: the default workspace (single mode,
   * env-configured channels); stored as ''.
   */
  teamId: string | null;
  /** who an unacknowledged alert is escalated to, and when (null: never) */
  escalation: {
    to: Mention[];
    afterMinutes: number;
    everyMinutes: number | null;
    maxRenotify: number;
  } | null;
  /** alerts found in these local hours are held and summarised when they end (zone null: the channel's) */
  quiet: { start: string; end: string; zone: string | null } | null;
  /** weekly and monthly reports (null: none), in the channel's zone */
  reports: { weekly: ReportSchedule | null; monthly: ReportSchedule | null };
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
  teamId: (r.team_id as string | null) || null,
  escalation: r.escalate_to
    ? {
        to: JSON.parse(r.escalate_to as string) as Mention[],
        afterMinutes: Number(r.escalate_after_minutes),
        everyMinutes: r.renotify_every_minutes === null ? null : Number(r.renotify_every_minutes),
        maxRenotify: r.renotify_max === null ? DEFAULT_RENOTIFY_MAX : Number(r.renotify_max),
      }
    : null,
  quiet:
    r.quiet_start && r.quiet_end
      ? { start: r.quiet_start as string, end: r.quiet_end as string, zone: (r.quiet_zone as string | null) ?? null }
      : null,
  reports: {
    weekly: parseSchedule('weekly', (r.report_weekly as string | null) ?? null),
    monthly: parseSchedule('monthly', (r.report_monthly as string | null) ?? null),
  },
});

/** The stored key of a channel's workspace ('' for the default one). */
export const teamKey = (teamId: string | null): string => teamId ?? '';

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
    escalation: null,
    quiet: null,
    reports: { weekly: null, monthly: null },
  };
}

/** The settings `teamId`'s workspace keeps for `channelId` (never another workspace's). */
export async function getChannelSettings(
  db: Knex,
  teamId: string | null,
  channelId: string,
): Promise<ChannelSettings | null> {
  const r = await db('channel_settings')
    .first('*')
    .where({ team_id: teamKey(teamId), channel_id: channelId });
  return r ? toSettings(r) : null;
}

/** Every workspace's channels (the scheduler's view: each row carries its workspace). */
export async function listChannelSettings(db: Knex): Promise<ChannelSettings[]> {
  return (await db('channel_settings').select('*').orderBy(['channel_id', 'team_id'])).map(toSettings);
}

/** A workspace's channels scoped to `accountId` (a disconnect takes the account out of them). */
export async function channelsScopedTo(db: Knex, teamId: string | null, accountId: string): Promise<ChannelSettings[]> {
  return (
    await db('channel_settings')
      .select('*')
      .where({ team_id: teamKey(teamId), account_id: accountId })
  ).map(toSettings);
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
    team_id: teamKey(s.teamId),
    escalate_to: s.escalation ? JSON.stringify(s.escalation.to) : null,
    escalate_after_minutes: s.escalation?.afterMinutes ?? null,
    renotify_every_minutes: s.escalation?.everyMinutes ?? null,
    renotify_max: s.escalation?.maxRenotify ?? null,
    quiet_start: s.quiet?.start ?? null,
    quiet_end: s.quiet?.end ?? null,
    quiet_zone: s.quiet?.zone ?? null,
    report_weekly: s.reports.weekly ? scheduleText(s.reports.weekly) : null,
    report_monthly: s.reports.monthly ? scheduleText(s.reports.monthly) : null,
    updated_by: by,
    updated_at: toDbTime(now),
  };
  await db('channel_settings').insert(row).onConflict(['team_id', 'channel_id']).merge();
}

export async function deleteChannelSettings(db: Knex, teamId: string | null, channelId: string): Promise<void> {
  await db('channel_settings')
    .where({ team_id: teamKey(teamId), channel_id: channelId })
    .delete();
}
