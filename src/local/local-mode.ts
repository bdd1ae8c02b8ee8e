import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { SlackStandIn } from '../workspace/slack-stand-in';

/** The embedded workspace of local mode: one channel, one user, the bot. */
export const LOCAL = {
  token: 'xoxb-local-workspace',
  channel: { id: 'C0LOCAL', name: 'campaign-stats' },
  user: { id: 'U0LOCAL', name: 'you' },
  teamId: 'T0LOCAL',
} as const;

export function isLocalMode(config: Config): boolean {
  return !config.slack.botToken && !config.slack.appToken;
}

/**
 * Local mode: no Slack credentials, so the Slack Web API stand-in becomes the workspace the
 * app talks to, exactly as it would talk to Slack. Digests and alerts go to its channel and
 * charts are rendered here (nothing leaves the machine). Its messages survive restarts.
 */
export async function startLocalWorkspace(
  config: Config,
): Promise<{ standIn: SlackStandIn; config: Config; signingSecret: string }> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secretFile = path.join(config.dataDir, 'local-signing-secret');
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, crypto.randomBytes(24).toString('hex'), { mode: 0o600 });
  const signingSecret = fs.readFileSync(secretFile, 'utf8').trim();
  const standIn = await new SlackStandIn({
    token: LOCAL.token,
    teamId: LOCAL.teamId,
    channels: [LOCAL.channel],
    users: [{ id: LOCAL.user.id, name: LOCAL.user.name, isAdmin: true, tz: config.defaultTimezone }],
    stateFile: path.join(config.dataDir, 'local-workspace.json'),
  }).start();
  const local: Config = Object.freeze({
    ...config,
    slack: Object.freeze({ botToken: LOCAL.token, signingSecret, appToken: undefined, apiUrl: standIn.apiUrl }),
    chartRenderer: process.env.CHART_RENDERER ? config.chartRenderer : 'upload',
    digestChannel: config.digestChannel ?? LOCAL.channel.id,
    alertChannel: config.alertChannel ?? LOCAL.channel.id,
  });
  return { standIn, config: local, signingSecret };
}

export function demoMetaFile(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'demo.json');
}
