import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { evaluateAlerts } from '../alerts/alerts.service';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { latestDigestDate, postDigest } from '../digests/digest.service';
import { digestDayName } from '../digests/digest.blocks';
import type { Logger } from '../logger';
import { effectiveChannels, zoneOf } from '../settings/channels';
import { webClientNotifier } from '../messages/notifier';
import type { SlackStandIn } from '../workspace/slack-stand-in';
import { WebClient } from '@slack/web-api';
import { demoMetaFile, LOCAL } from './local-mode';

function webRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'web');
}

/**
 * The local page and its API. Commands and clicks from the page are turned into the same
 * signed requests Slack sends to /slack/events, so they take the app's real path.
 */
export function localRouter(deps: {
  config: Config;
  db: Knex;
  clock: Clock;
  log: Logger;
  standIn: SlackStandIn;
  signingSecret: string;
  appUrl: () => string;
}): Router {
  const r = Router();
  const { standIn } = deps;
  r.use(express.json({ limit: '256kb' }));
  r.get('/', (_req, res) => res.sendFile(path.join(webRoot(), 'index.html')));
  r.use('/local/static', express.static(webRoot(), { maxAge: 0 }));

  r.get('/local/state', async (_req, res) => {
    const digestDate = await latestDigestDate(deps.db, deps.config.defaultTimezone, deps.clock.now());
    res.json({
      digest: { date: digestDate, label: digestDayName(digestDate) },
      channel: LOCAL.channel,
      user: LOCAL.user,
      messages: standIn.messages.filter((m) => !m.deleted && (m.visibleTo === null || m.visibleTo === LOCAL.user.id)),
      files: Object.fromEntries(
        [...standIn.files.values()].map((f) => [
          f.id,
          { id: f.id, title: f.title, altText: f.altText, url: `/local/files/${f.id}` },
        ]),
      ),
    });
  });

  r.get('/local/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    const onChange = () => res.write(`data: ${Date.now()}\n\n`);
    standIn.on('change', onChange);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      standIn.off('change', onChange);
    });
  });

  r.get('/local/files/:id', (req, res) => {
    const f = standIn.files.get(String(req.params.id));
    if (!f?.bytes) return void res.status(404).json({ error: 'no such file' });
    res.type('png').send(f.bytes);
  });

  const signedPost = async (body: string) => {
    const ts = Math.floor(deps.clock.now().getTime() / 1000);
    const sig = `v0=${crypto.createHmac('sha256', deps.signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
    const res = await fetch(`${deps.appUrl()}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': sig,
      },
      body,
    });
    return res.status;
  };

  r.post('/local/command', async (req: Request, res: Response) => {
    const text = typeof req.body?.text === 'string' ? req.body.text : '';
    const cleaned = text.replace(/^\s*\/campaign-stats\b/, '').trim();
    const body = new URLSearchParams({
      token: 'local',
      team_id: LOCAL.teamId,
      team_domain: 'local',
      channel_id: LOCAL.channel.id,
      channel_name: LOCAL.channel.name,
      user_id: LOCAL.user.id,
      user_name: LOCAL.user.name,
      command: '/campaign-stats',
      text: cleaned,
      response_url: standIn.commandResponseUrl(LOCAL.channel.id, LOCAL.user.id),
      trigger_id: `local.${Date.now()}`,
      api_app_id: 'ALOCAL',
    }).toString();
    res.status((await signedPost(body)) === 200 ? 202 : 502).json({ ok: true });
  });

  r.post('/local/action', async (req: Request, res: Response) => {
    const { ts, action } = (req.body ?? {}) as { ts?: string; action?: Record<string, unknown> };
    const msg = ts ? standIn.find(ts) : undefined;
    if (!msg || !action || typeof action.action_id !== 'string')
      return void res.status(400).json({ error: 'ts and action are required' });
    const payload = {
      type: 'block_actions',
      user: { id: LOCAL.user.id, username: LOCAL.user.name, name: LOCAL.user.name, team_id: LOCAL.teamId },
      api_app_id: 'ALOCAL',
      token: 'local',
      container: {
        type: 'message',
        message_ts: msg.ts,
        channel_id: msg.channel,
        is_ephemeral: msg.visibleTo !== null,
        ...(msg.threadTs ? { thread_ts: msg.threadTs } : {}),
      },
      trigger_id: `local.${Date.now()}`,
      team: { id: LOCAL.teamId, domain: 'local' },
      channel: { id: msg.channel, name: LOCAL.channel.name },
      ...(msg.visibleTo === null
        ? {
            message: {
              type: 'message',
              ts: msg.ts,
              text: msg.text,
              blocks: msg.blocks,
              ...(msg.threadTs ? { thread_ts: msg.threadTs } : {}),
            },
          }
        : {}),
      state: { values: {} },
      response_url: standIn.messageResponseUrl(msg.channel, LOCAL.user.id, msg.ts),
      actions: [{ ...action, action_ts: `${Math.floor(Date.now() / 1000)}.000001` }],
    };
    res
      .status(
        (await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString())) === 200 ? 202 : 502,
      )
      .json({ ok: true });
  });

  const notifier = webClientNotifier(new WebClient(LOCAL.token, { slackApiUrl: standIn.apiUrl }));

  // posts the digest of the last day with sends (not an empty weekend), or the date asked for
  r.post('/local/run/digest', async (req, res) => {
    const now = deps.clock.now();
    const asked = typeof req.body?.date === 'string' ? req.body.date : null;
    if (asked !== null && !DateTime.fromISO(asked).isValid)
      return void res.status(400).json({ error: `date: "${asked}" is not a date like 2026-11-20` });
    const channels = (await effectiveChannels(deps.db, deps.config)).filter(
      (c) => c.digestEnabled && c.channelId === LOCAL.channel.id,
    );
    const dates: string[] = [];
    for (const s of channels) {
      const date = asked ?? (await latestDigestDate(deps.db, zoneOf(s, deps.config), now));
      await postDigest({ db: deps.db, config: deps.config, notifier }, s, date, now);
      dates.push(date);
    }
    res.json({
      ok: true,
      posted: channels.length,
      dates,
      message: channels.length
        ? `Posted the digest for ${dates.map(digestDayName).join(', ')}.`
        : 'No channel has the digest on.',
    });
  });

  r.post('/local/run/alerts', async (req, res) => {
    // "replay": evaluate as of the demo's carrier-filtering incident, so the flow can be seen
    let at = deps.clock.now();
    if (req.body?.replay && fs.existsSync(demoMetaFile(deps.config))) {
      const meta = JSON.parse(fs.readFileSync(demoMetaFile(deps.config), 'utf8')) as { incidentAt: string };
      at = new Date(meta.incidentAt);
    }
    const result = await evaluateAlerts({ db: deps.db, config: deps.config, notifier, log: deps.log }, at);
    res.json({ ok: true, at: at.toISOString(), ...result });
  });
  return r;
}
