import { slackRequestHeaders } from '../slack-stand-in/slack-signature';
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { evaluateAlerts } from '../alerts/alerts.service';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { digestDayName } from '../digests/digest.blocks';
import { latestDigestDate, postDigest } from '../digests/digest.service';
import type { Logger } from '../logger';
import { effectiveChannels, settingsFor, zoneOf } from '../settings/channels';
import { postReport } from '../reports/report.service';
import { lastOccurrence } from '../domain/report-schedule';
import { directChannelOf, type SlackStandIn } from '../slack-stand-in/slack-stand-in';
import { owningTeam, type WorkspaceAuth } from '../workspaces/workspace-auth';
import { workspaceDirectory } from '../workspaces/workspace-directory';
import { demoMetaFile, LOCAL_WORKSPACES, localWorkspace, type LocalWorkspace } from './local-mode';

function webRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'web');
}

/** The folder of @fontsource/noto-color-emoji (its CSS and the font's subsets, by unicode range). */
function emojiFontRoot(): string {
  return path.dirname(require.resolve('@fontsource/noto-color-emoji/package.json'));
}

/**
 * State-changing routes take JSON from this page only: a cross-site form post cannot send
 * `application/json` without a CORS preflight (which we never grant), and a browser's Origin,
 * when sent, must be this server's own.
 */
function sameOriginJson(req: Request, res: Response, next: NextFunction): void {
  if (!req.is('application/json')) {
    res.status(415).json({ error: 'send JSON (content-type: application/json) from the local page' });
    return;
  }
  const origin = req.get('origin');
  if (origin && origin !== `${req.protocol}://${req.get('host')}`) {
    res.status(403).json({ error: `cross-site request from ${origin} refused` });
    return;
  }
  next();
}

const chosen = (req: Request): LocalWorkspace =>
  localWorkspace(typeof req.query.team === 'string' ? req.query.team : (req.body?.team as string | undefined));

/**
 * The local page and its API. Commands and clicks from the page are turned into the same
 * signed requests Slack sends to /slack/events, so they take the app's real path. Each request
 * names its workspace (`team`): the platform's, which sees every account, or a merchant's.
 */
export function localRouter(deps: {
  config: Config;
  db: Knex;
  clock: Clock;
  log: Logger;
  standIn: SlackStandIn;
  signingSecret: string;
  auth: WorkspaceAuth;
  appUrl: () => string;
}): Router {
  const r = Router();
  const { standIn } = deps;
  const workspaces = workspaceDirectory(deps.db, deps.auth, deps.config.slack.apiUrl);
  r.use(express.json({ limit: '256kb' }));
  r.get('/', (_req, res) => res.sendFile(path.join(webRoot(), 'index.html')));
  r.get('/favicon.ico', (_req, res) => res.status(204).end());
  r.use('/local/static', express.static(webRoot(), { maxAge: 0 }));
  // a colour emoji font of the page's own (OFL, from @fontsource): many machines have none
  r.use('/local/fonts/noto-color-emoji', express.static(emojiFontRoot(), { maxAge: '1d' }));

  r.get('/local/state', async (req, res) => {
    const w = chosen(req);
    // the day worth a digest for this workspace's own accounts (not other merchants' traffic)
    const accounts = await workspaces.accountsOf({ teamId: w.teamId, accountId: null });
    const digestDate = await latestDigestDate(deps.db, deps.config.defaultTimezone, deps.clock.now(), accounts);
    res.json({
      workspaces: LOCAL_WORKSPACES.map((x) => ({ teamId: x.teamId, name: x.name, channel: x.channel })),
      team: w.teamId,
      digest: { date: digestDate, label: digestDayName(digestDate) },
      channel: w.channel,
      user: w.user,
      // the Home tab the app last published for this workspace's user (null: never opened)
      home: standIn.views.get(w.user.id) ?? null,
      messages: standIn.messages.filter(
        (m) => m.channel === w.channel.id && !m.deleted && (m.visibleTo === null || m.visibleTo === w.user.id),
      ),
      // the app's direct messages to this user (exports, the Home tab's 7-day answer)
      direct: standIn.messages.filter((m) => m.channel === directChannelOf(w.user.id) && !m.deleted),
      files: Object.fromEntries(
        [...standIn.files.values()].map((f) => [
          f.id,
          {
            id: f.id,
            title: f.title,
            altText: f.altText,
            url: `/local/files/${f.id}`,
            kind: /\.csv$/i.test(f.filename) ? 'csv' : 'image',
          },
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
    // a report's CSV downloads as a file; a chart shows as an image
    if (/\.csv$/i.test(f.filename)) return void res.type('text/csv').attachment(f.filename).send(f.bytes);
    res.type('png').send(f.bytes);
  });

  /** Forwards a request to the app signed as Slack signs it (form posts, or JSON events). */
  const signedPost = async (body: string, contentType?: string) => {
    // signed at the wall clock, as Slack signs and as Bolt checks (not the app's clock, which may be pinned)
    const res = await fetch(`${deps.appUrl()}/slack/events`, {
      method: 'POST',
      headers: slackRequestHeaders(deps.signingSecret, body, { contentType }),
      body,
    });
    return res.status;
  };

  /** An Events API callback from workspace `w`, as Slack wraps and signs it. */
  const sendEvent = (w: LocalWorkspace, eventId: string, event: Record<string, unknown>) =>
    signedPost(
      JSON.stringify({
        token: 'local',
        team_id: w.teamId,
        api_app_id: 'ALOCAL',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: w.teamId, user_id: 'U0BOT', is_bot: true }],
        event,
      }),
      'application/json',
    );

  /** A block_actions payload from workspace `w`'s user, as Slack posts it (form-encoded, signed). */
  const sendAction = (w: LocalWorkspace, action: Record<string, unknown>, where: Record<string, unknown>) =>
    signedPost(
      new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: w.user.id, username: w.user.name, name: w.user.name, team_id: w.teamId },
          api_app_id: 'ALOCAL',
          token: 'local',
          trigger_id: `local.${Date.now()}`,
          team: { id: w.teamId, domain: 'local' },
          ...where,
          actions: [{ ...action, action_ts: `${Math.floor(Date.now() / 1000)}.000001` }],
        }),
      }).toString(),
    );

  r.post('/local/command', sameOriginJson, async (req: Request, res: Response) => {
    const w = chosen(req);
    const text = typeof req.body?.text === 'string' ? req.body.text : '';
    const cleaned = text.replace(/^\s*\/campaign-stats\b/, '').trim();
    const body = new URLSearchParams({
      token: 'local',
      team_id: w.teamId,
      team_domain: 'local',
      channel_id: w.channel.id,
      channel_name: w.channel.name,
      user_id: w.user.id,
      user_name: w.user.name,
      command: '/campaign-stats',
      text: cleaned,
      response_url: standIn.commandResponseUrl(w.channel.id, w.user.id),
      trigger_id: `local.${Date.now()}`,
      api_app_id: 'ALOCAL',
    }).toString();
    res.status((await signedPost(body)) === 200 ? 202 : 502).json({ ok: true });
  });

  r.post('/local/action', sameOriginJson, async (req: Request, res: Response) => {
    const w = chosen(req);
    const { ts, action } = (req.body ?? {}) as { ts?: string; action?: Record<string, unknown> };
    const msg = ts ? standIn.find(ts) : undefined;
    if (!msg || msg.channel !== w.channel.id || !action || typeof action.action_id !== 'string')
      return void res.status(400).json({ error: 'ts (a message of this workspace) and action are required' });
    const sent = await sendAction(w, action, {
      container: {
        type: 'message',
        message_ts: msg.ts,
        channel_id: msg.channel,
        is_ephemeral: msg.visibleTo !== null,
        ...(msg.threadTs ? { thread_ts: msg.threadTs } : {}),
      },
      channel: { id: msg.channel, name: w.channel.name },
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
      response_url: standIn.messageResponseUrl(msg.channel, w.user.id, msg.ts),
    });
    res.status(sent === 200 ? 202 : 502).json({ ok: true });
  });

  /** Opening the Home tab: Slack's app_home_opened event; the app publishes the view (views.publish). */
  r.post('/local/home', sameOriginJson, async (req: Request, res: Response) => {
    const w = chosen(req);
    const sent = await sendEvent(w, `EvHome${Date.now()}`, {
      type: 'app_home_opened',
      user: w.user.id,
      channel: `D${w.user.id.slice(1)}`,
      tab: 'home',
      event_ts: `${Math.floor(Date.now() / 1000)}.000001`,
    });
    res.status(sent === 200 ? 202 : 502).json({ ok: true });
  });

  /** A button on the Home tab: block_actions whose container is the view (no channel, no message). */
  r.post('/local/home-action', sameOriginJson, async (req: Request, res: Response) => {
    const w = chosen(req);
    const { action } = (req.body ?? {}) as { action?: Record<string, unknown> };
    if (!action || typeof action.action_id !== 'string')
      return void res.status(400).json({ error: 'action (with an action_id) is required' });
    const sent = await sendAction(w, action, {
      container: { type: 'view', view_id: `VHOME${w.user.id}` },
      view: { id: `VHOME${w.user.id}`, type: 'home', blocks: [] },
    });
    res.status(sent === 200 ? 202 : 502).json({ ok: true });
  });

  /** A reply typed in a thread (`ack`), delivered as Slack's message event. */
  r.post('/local/reply', sameOriginJson, async (req: Request, res: Response) => {
    const w = chosen(req);
    const { threadTs, text } = (req.body ?? {}) as { threadTs?: string; text?: string };
    const parent = threadTs ? standIn.find(threadTs) : undefined;
    if (!parent || parent.channel !== w.channel.id || typeof text !== 'string' || !text.trim())
      return void res.status(400).json({ error: 'threadTs (a message of this workspace) and text are required' });
    const reply = standIn.userMessage({ channel: w.channel.id, user: w.user.id, text, threadTs: parent.ts });
    const sent = await sendEvent(w, `Ev${reply.ts.replace('.', '')}`, {
      type: 'message',
      channel: w.channel.id,
      channel_type: 'channel',
      user: w.user.id,
      text,
      ts: reply.ts,
      thread_ts: parent.ts,
    });
    res.status(sent === 200 ? 202 : 502).json({ ok: true });
  });

  // posts the digest of the last day with sends (not an empty weekend), or the date asked for
  r.post('/local/run/digest', sameOriginJson, async (req, res) => {
    const w = chosen(req);
    const now = deps.clock.now();
    const asked = typeof req.body?.date === 'string' ? req.body.date : null;
    if (asked !== null && !DateTime.fromISO(asked).isValid)
      return void res.status(400).json({ error: `date: "${asked}" is not a date like 2026-11-20` });
    const channels = (await effectiveChannels(deps.db, deps.config)).filter(
      (c) => c.digestEnabled && c.channelId === w.channel.id,
    );
    const dates: string[] = [];
    const already: string[] = [];
    for (const s of channels) {
      const date =
        asked ?? (await latestDigestDate(deps.db, zoneOf(s, deps.config), now, await workspaces.accountsOf(s)));
      // a second click posts no second copy of the same day's digest in the channel
      const posted = standIn.messages.some(
        (m) =>
          m.channel === s.channelId &&
          m.threadTs === null &&
          !m.deleted &&
          m.text.startsWith(`Daily digest · ${digestDayName(date)}:`),
      );
      if (posted) {
        already.push(date);
        continue;
      }
      await postDigest({ db: deps.db, config: deps.config, workspaces }, s, date, now);
      dates.push(date);
    }
    res.json({
      ok: true,
      posted: dates.length,
      dates,
      message: dates.length
        ? `Posted the digest for ${dates.map(digestDayName).join(', ')}.`
        : already.length
          ? `The digest for ${already.map(digestDayName).join(', ')} is already in the channel (scroll up).`
          : 'No digest: the digest is off in this channel (`/campaign-stats digest on`).',
    });
  });

  // posts the weekly report of the last whole week in the page's channel (the channel's own
  // schedule if it has one, else Monday 09:00), as the scheduler would; once per week
  r.post('/local/run/report', sameOriginJson, async (req, res) => {
    const w = chosen(req);
    const now = deps.clock.now();
    const s =
      (await effectiveChannels(deps.db, deps.config)).find((c) => c.channelId === w.channel.id) ??
      (await settingsFor(deps.db, deps.config, owningTeam(deps.auth, w.teamId), w.channel.id));
    const weekly = s.reports.weekly ?? { kind: 'weekly' as const, day: 1, time: '09:00' };
    const label = lastOccurrence(weekly, zoneOf(s, deps.config), now).label;
    const already = standIn.messages.some(
      (m) =>
        m.channel === s.channelId &&
        m.threadTs === null &&
        !m.deleted &&
        m.text.startsWith(`Weekly report · ${label} (`),
    );
    if (already)
      return void res.json({
        ok: true,
        message: `The weekly report for the ${label.replace(/^Week/, 'week')} is already in the channel (scroll up).`,
      });
    const r = await postReport(
      { db: deps.db, config: deps.config, workspaces },
      { ...s, reports: { ...s.reports, weekly } },
      'weekly',
      now,
    );
    res.json({
      ok: r.posted,
      message: r.posted
        ? `Posted the weekly report for the ${label.replace(/^Week/, 'week')}, its CSV files in the thread.`
        : `No report: ${r.why}.`,
    });
  });

  r.post('/local/run/alerts', sameOriginJson, async (req, res) => {
    // "replay": evaluate as of the demo's carrier-filtering incident, so the flow can be seen
    let at = deps.clock.now();
    if (req.body?.replay && fs.existsSync(demoMetaFile(deps.config))) {
      const meta = JSON.parse(fs.readFileSync(demoMetaFile(deps.config), 'utf8')) as { incidentAt: string };
      at = new Date(meta.incidentAt);
    }
    const result = await evaluateAlerts({ db: deps.db, config: deps.config, workspaces, log: deps.log }, at);
    // counted for the channel on the page (each workspace's channel gets its own copy of an alert)
    const here = result.openedIn.filter((c) => c === chosen(req).channel.id).length;
    const elsewhere = result.opened - here;
    const what = [
      result.opened
        ? `${here} alert${here === 1 ? '' : 's'} opened here${elsewhere ? ` (${elsewhere} in the other workspace's channel)` : ''}`
        : null,
      result.updated ? `${result.updated} updated` : null,
      result.resolved ? `${result.resolved} resolved` : null,
    ].filter(Boolean);
    res.json({
      ok: true,
      at: at.toISOString(),
      ...result,
      message: what.length
        ? `Evaluated as of ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${what.join(', ')}.`
        : `No alert as of ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC: every scope is under its threshold.`,
    });
  });
  return r;
}
