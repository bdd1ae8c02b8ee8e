import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { SlackStandIn } from '../slack-stand-in/slack-stand-in';
import { fixedWorkspaceAuth, type WorkspaceAuth } from '../workspaces/workspace-auth';
import { linkAccount, markInstalled, setSeesAllAccounts } from '../workspaces/workspaces.repository';
import {
  defaultSettings,
  deleteChannelSettings,
  getChannelSettings,
  saveChannelSettings,
} from '../settings/channel-settings.repository';

/**
 * The embedded workspaces of local mode: the platform's deliverability team, which sees every
 * account, and one merchant's workspace, linked to its own account only — so isolation can be
 * seen from the page's workspace switcher.
 */
export const LOCAL_WORKSPACES = [
  {
    teamId: 'T0LOCAL',
    name: 'Platform deliverability',
    token: 'xoxb-local-workspace',
    channel: { id: 'C0LOCAL', name: 'campaign-stats' },
    user: { id: 'U0LOCAL', name: 'you' },
    accounts: 'all' as const,
  },
  {
    teamId: 'T0GREEN',
    name: 'Green Leaf Denver',
    token: 'xoxb-local-greenleaf',
    channel: { id: 'C0GREEN', name: 'greenleaf-marketing' },
    user: { id: 'U0GREEN', name: 'you' },
    accounts: ['acct_greenleaf'],
  },
] as const;

export type LocalWorkspace = (typeof LOCAL_WORKSPACES)[number];

/** The platform's workspace: channels set up by environment belong to it. */
export const LOCAL = LOCAL_WORKSPACES[0];

export function localWorkspace(teamId: string | undefined): LocalWorkspace {
  return LOCAL_WORKSPACES.find((w) => w.teamId === teamId) ?? LOCAL;
}

export function isLocalMode(config: Config): boolean {
  return config.slack.mode === 'local';
}

export function localWorkspaceAuth(): WorkspaceAuth {
  return fixedWorkspaceAuth(Object.fromEntries(LOCAL_WORKSPACES.map((w) => [w.teamId, w.token])), LOCAL.teamId);
}

/** Records the embedded workspaces and what each may see (idempotent: runs at every start). */
export async function seedLocalWorkspaces(db: Knex, now: Date): Promise<void> {
  // the platform's workspace is the default one: its channel's settings are kept under '' (older
  // files kept them under its team id)
  const old = await getChannelSettings(db, LOCAL.teamId, LOCAL.channel.id);
  if (old) {
    if (!(await getChannelSettings(db, null, LOCAL.channel.id)))
      await saveChannelSettings(db, { ...old, teamId: null }, 'migration', now);
    await deleteChannelSettings(db, LOCAL.teamId, LOCAL.channel.id);
  }
  for (const w of LOCAL_WORKSPACES) {
    await markInstalled(db, { teamId: w.teamId, enterpriseId: null, name: w.name }, now);
    await setSeesAllAccounts(db, w.teamId, w.accounts === 'all');
    if (w.accounts !== 'all') {
      for (const a of w.accounts) await linkAccount(db, w.teamId, a, null, now);
      // the merchant's channel gets its digest and alerts too (once: later changes are kept)
      if (!(await getChannelSettings(db, w.teamId, w.channel.id))) {
        const s = { ...defaultSettings(w.channel.id, w.teamId), digestEnabled: true, alertsEnabled: true };
        await saveChannelSettings(db, s, w.user.id, now);
      }
    }
  }
}

/**
 * Local mode: no Slack credentials, so the Slack Web API stand-in becomes the workspaces the
 * app talks to, exactly as it would talk to Slack. Digests and alerts go to their channels and
 * charts are rendered here (nothing leaves the machine). Its messages survive restarts.
 */
export async function startLocalWorkspace(
  config: Config,
): Promise<{ standIn: SlackStandIn; config: Config; signingSecret: string }> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secretFile = path.join(config.dataDir, 'local-signing-secret');
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, crypto.randomBytes(24).toString('hex'), { mode: 0o600 });
  const signingSecret = fs.readFileSync(secretFile, 'utf8').trim();
  const [platform, ...merchants] = LOCAL_WORKSPACES;
  const standIn = await new SlackStandIn({
    token: platform.token,
    teamId: platform.teamId,
    channels: [platform.channel],
    users: [{ id: platform.user.id, name: platform.user.name, isAdmin: true, tz: config.defaultTimezone }],
    workspaces: merchants.map((w) => ({
      teamId: w.teamId,
      name: w.name,
      token: w.token,
      channels: [w.channel],
      users: [{ id: w.user.id, name: w.user.name, isAdmin: true, tz: config.defaultTimezone }],
    })),
    // a user group in each workspace, so `alerts escalate after 30m to @deliverability-oncall` works here
    usergroups: LOCAL_WORKSPACES.map((w, i) => ({
      id: `S0ONCALL${i}`,
      handle: 'deliverability-oncall',
      name: 'Deliverability on call',
      teamId: w.teamId,
    })),
    stateFile: path.join(config.dataDir, 'local-workspace.json'),
    // a bounded file: the newest 200 messages of each channel (it is rewritten whole)
    maxMessagesPerChannel: 200,
  }).start();
  standIn.teamNames.set(platform.teamId, platform.name);
  const local: Config = Object.freeze({
    ...config,
    slack: Object.freeze({ ...config.slack, signingSecret, apiUrl: standIn.apiUrl }),
    chartRenderer: process.env.CHART_RENDERER ? config.chartRenderer : 'upload',
    digestChannel: config.digestChannel ?? LOCAL.channel.id,
    alertChannel: config.alertChannel ?? LOCAL.channel.id,
  });
  return { standIn, config: local, signingSecret };
}

export function demoMetaFile(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'demo.json');
}
