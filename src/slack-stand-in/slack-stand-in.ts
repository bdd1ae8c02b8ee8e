import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { messageProblems, viewProblems } from '../messages/block-limits';

/**
 * A local HTTP stand-in for the Slack Web API and for response URLs. It implements the
 * methods campaign-stats calls, records every call, keeps the messages, threads and files as
 * Slack would, and refuses what Slack refuses: unknown methods, missing or bad tokens,
 * unknown channels and users, and messages outside Block Kit's limits. The tests talk to it
 * as the app's SLACK_API_URL; local mode uses it as the embedded workspace.
 */

/** The direct-message channel between the app and a user, as conversations.open gives it. */
export const directChannelOf = (userId: string): string => `D${userId.slice(1)}`;

export interface StandInMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  /** set for ephemeral messages: the only user who sees it */
  visibleTo: string | null;
  user: string;
  text: string;
  blocks: unknown[];
  files: string[];
  edits: number;
  deleted: boolean;
}

export interface StandInCall {
  /** Date.now() when the call arrived */
  at: number;
  method: string;
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
}

export interface StandInFile {
  id: string;
  filename: string;
  title: string | null;
  altText: string | null;
  bytes: Buffer | null;
}

export interface StandInChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  teamId?: string;
  /** a Slack Connect channel: the other workspaces it is shared with (one id, seen by each) */
  sharedWith?: string[];
}

export interface StandInUser {
  id: string;
  name: string;
  tz?: string;
  isAdmin?: boolean;
  teamId?: string;
}

/** A workspace of its own: its token sees only its channels and users. */
export interface StandInWorkspace {
  teamId: string;
  name?: string;
  /** null: not installed yet (it gets a token through oauth.v2.access) */
  token: string | null;
  channels: StandInChannel[];
  users: StandInUser[];
}

export interface StandInOptions {
  token: string;
  teamId?: string;
  botUserId?: string;
  channels?: StandInChannel[];
  users?: StandInUser[];
  /** more workspaces beside the first (distribution: each installs the app) */
  workspaces?: StandInWorkspace[];
  /** the app's OAuth credentials, which oauth.v2.access checks */
  oauth?: { clientId: string; clientSecret: string };
  /** user groups (usergroups.list), each in the first workspace unless it names another */
  usergroups?: Array<{ id: string; handle: string; name?: string; teamId?: string }>;
  /** answer image blocks as Slack does when it cannot fetch the image */
  refuseImages?: boolean;
  /** keep messages and files in this file across restarts (local mode) */
  stateFile?: string;
  /** keep only the newest top-level messages of each channel (and their threads, their files) */
  maxMessagesPerChannel?: number;
  port?: number;
  host?: string;
}

type Args = Record<string, unknown>;
type Result = Record<string, unknown> & { ok: boolean };

export class SlackStandIn extends EventEmitter {
  readonly calls: StandInCall[] = [];
  readonly messages: StandInMessage[] = [];
  readonly files = new Map<string, StandInFile>();
  readonly views = new Map<string, unknown>();
  readonly channels: Map<string, StandInChannel & { teamId: string }>;
  /** bot token → the workspace it belongs to */
  readonly tokens = new Map<string, string>();
  readonly teamNames = new Map<string, string>();
  private readonly pendingCodes = new Map<string, { teamId: string; userId: string }>();
  /** channels the bot has joined (conversations.join) */
  readonly joined = new Set<string>();
  readonly users: Map<string, { id: string; name: string; tz: string; isAdmin: boolean; teamId: string }>;
  refuseImages: boolean;
  /** answer response URLs this much later (a slow Slack, for tests of answers in flight) */
  responseDelayMs = 0;
  private server: http.Server | null = null;
  private seq = 0;
  private readonly responseTargets = new Map<string, { channel: string; user: string; ts: string | null }>();
  url = '';

  constructor(private readonly opts: StandInOptions) {
    super();
    this.refuseImages = opts.refuseImages ?? false;
    const first = opts.teamId ?? 'T0001';
    this.channels = new Map(
      (opts.channels ?? [{ id: 'C2147483705', name: 'marketing' }]).map((c) => [
        c.id,
        { ...c, teamId: c.teamId ?? first },
      ]),
    );
    this.tokens.set(opts.token, first);
    this.users = new Map();
    for (const w of opts.workspaces ?? []) this.addWorkspace(w);
    for (const u of opts.users ?? [{ id: 'U2147483697', name: 'steve', isAdmin: true }]) this.addUser(u, first);
  }

  private addUser(u: StandInUser, teamId: string): void {
    this.users.set(u.id, { id: u.id, name: u.name, tz: u.tz ?? 'America/Denver', isAdmin: u.isAdmin ?? false, teamId });
  }

  /** Adds a workspace with its channels and users (and its token, if installed). */
  addWorkspace(w: StandInWorkspace): void {
    if (w.name) this.teamNames.set(w.teamId, w.name);
    if (w.token) this.tokens.set(w.token, w.teamId);
    for (const c of w.channels) this.channels.set(c.id, { ...c, teamId: w.teamId });
    for (const u of w.users) this.addUser(u, w.teamId);
  }

  /**
   * What Slack does when an admin approves the install in `teamId`: an OAuth code for the
   * redirect, which oauth.v2.access exchanges for a new bot token of that workspace.
   */
  approveInstall(teamId: string, userId: string): string {
    const code = `code-${teamId}-${++this.seq}`;
    this.pendingCodes.set(code, { teamId, userId });
    return code;
  }

  /** The workspace removed the app: its tokens stop working (invalid_auth). */
  revokeTeam(teamId: string): void {
    for (const [token, team] of [...this.tokens]) if (team === teamId) this.tokens.delete(token);
  }

  tokenOf(teamId: string): string | undefined {
    return [...this.tokens].find(([, team]) => team === teamId)?.[0];
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Messages and files as JSON (files base64), for local mode to keep across restarts. */
  snapshot(): string {
    return JSON.stringify({
      seq: this.seq,
      messages: this.messages,
      files: [...this.files.values()].map((f) => ({ ...f, bytes: f.bytes ? f.bytes.toString('base64') : null })),
      targets: [...this.responseTargets],
    });
  }

  restore(json: string): void {
    const state = JSON.parse(json) as {
      seq: number;
      messages: StandInMessage[];
      files: Array<Omit<StandInFile, 'bytes'> & { bytes: string | null }>;
      targets: Array<[string, { channel: string; user: string; ts: string | null }]>;
    };
    this.seq = state.seq;
    this.messages.splice(0, this.messages.length, ...state.messages);
    this.files.clear();
    for (const f of state.files) this.files.set(f.id, { ...f, bytes: f.bytes ? Buffer.from(f.bytes, 'base64') : null });
    for (const [k, v] of state.targets) this.responseTargets.set(k, v);
  }

  private persistTimer: NodeJS.Timeout | null = null;
  private persistSoon(): void {
    if (!this.opts.stateFile || this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      this.persistNow();
    }, 200);
  }

  persistNow(): void {
    if (!this.opts.stateFile) return;
    const tmp = `${this.opts.stateFile}.tmp`;
    fs.writeFileSync(tmp, this.snapshot());
    fs.renameSync(tmp, this.opts.stateFile);
  }

  async start(): Promise<this> {
    if (this.opts.stateFile && fs.existsSync(this.opts.stateFile))
      this.restore(fs.readFileSync(this.opts.stateFile, 'utf8'));
    this.on('change', () => this.persistSoon());
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: 'internal_error', detail: String(err) }));
      });
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', resolve),
    );
    const addr = this.server.address() as { port: number };
    this.url = `http://${this.opts.host ?? '127.0.0.1'}:${addr.port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistTimer = null;
    }
    this.persistNow();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** A response URL for a slash command typed by `user` in `channel`. */
  commandResponseUrl(channel: string, user: string): string {
    const key = `cmd-${++this.seq}`;
    this.responseTargets.set(key, { channel, user, ts: null });
    return `${this.url}/response/${key}`;
  }

  /** The response URL Slack puts in an interaction payload from message `ts`. */
  messageResponseUrl(channel: string, user: string, ts: string): string {
    const key = `msg-${++this.seq}`;
    this.responseTargets.set(key, { channel, user, ts });
    return `${this.url}/response/${key}`;
  }

  callsTo(method: string): StandInCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  find(ts: string): StandInMessage | undefined {
    return this.messages.find((m) => m.ts === ts);
  }

  visibleMessages(channel: string, user?: string): StandInMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && !m.deleted && (m.visibleTo === null || m.visibleTo === user),
    );
  }

  reset(): void {
    this.calls.length = 0;
    this.messages.length = 0;
    this.files.clear();
  }

  private nextTs(): string {
    const now = Date.now();
    return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + (++this.seq % 1000)).padStart(6, '0')}`;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(payload));
    };
    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice(5);
      const args = await parseArgs(req, body, url);
      const result = this.api(method, args, String(req.headers.authorization ?? ''));
      this.calls.push({
        at: Date.now(),
        method,
        args,
        ok: result.ok,
        ...(result.ok ? {} : { error: String(result.error) }),
      });
      this.emit('change', { method });
      send(200, result);
      return;
    }
    if (url.pathname.startsWith('/upload/')) {
      const id = url.pathname.slice(8);
      const file = this.files.get(id);
      if (!file) return send(404, { ok: false, error: 'file_not_found' });
      file.bytes = await fileBytes(req, body);
      this.calls.push({ at: Date.now(), method: 'upload', args: { file_id: id, bytes: file.bytes.length }, ok: true });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${file.bytes.length}`);
      return;
    }
    if (url.pathname.startsWith('/response/')) {
      if (this.responseDelayMs) await new Promise((r) => setTimeout(r, this.responseDelayMs));
      const key = url.pathname.slice(10);
      let args: Args;
      try {
        args = JSON.parse(body.toString('utf8')) as Args;
      } catch {
        return send(400, { ok: false, error: 'invalid_payload' });
      }
      const result = this.respond(key, args);
      this.calls.push({
        at: Date.now(),
        method: 'response_url',
        args: { key, ...args },
        ok: result.ok,
        ...(result.ok ? {} : { error: String(result.error) }),
      });
      this.emit('change', { method: 'response_url' });
      send(result.ok ? 200 : 400, result);
      return;
    }
    if (url.pathname.startsWith('/files/')) {
      const file = this.files.get(url.pathname.slice(7));
      if (!file?.bytes) return send(404, { ok: false, error: 'file_not_found' });
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'max-age=3600' }).end(file.bytes);
      return;
    }
    send(404, { ok: false, error: 'not_found' });
  }

  private checkMessage(args: Args): Result | null {
    const problems = messageProblems({ text: args.text, blocks: args.blocks });
    if (problems.length)
      return {
        ok: false,
        error: problems.some((p) => p.startsWith('text:')) ? 'no_text' : 'invalid_blocks',
        errors: problems,
      };
    const blocks = (args.blocks as Array<Record<string, unknown>> | undefined) ?? [];
    for (const b of blocks) {
      const file = b.slack_file as { id?: string } | undefined;
      if (b.type === 'image' && file?.id && !this.files.get(file.id)?.bytes) {
        return {
          ok: false,
          error: 'invalid_blocks',
          errors: [`slack_file ${file.id}: file not found or not uploaded`],
        };
      }
    }
    if (this.refuseImages && blocks.some((b) => b.type === 'image')) {
      return {
        ok: false,
        error: 'invalid_blocks',
        errors: ['downloading image failed [json-pointer:/blocks/image/image_url]'],
      };
    }
    return null;
  }

  private api(method: string, args: Args, authorization: string): Result {
    if (method === 'oauth.v2.access') return this.oauthAccess(args, authorization);
    const token = /^Bearer (.+)$/.exec(authorization)?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    if (!token) return { ok: false, error: 'not_authed' };
    const teamId = this.tokens.get(token);
    if (!teamId) return { ok: false, error: 'invalid_auth' };
    const bot = this.opts.botUserId ?? 'U0BOT';
    // a token sees its own workspace's channels and users only
    const channel = (id: unknown) => {
      const c = typeof id === 'string' ? this.channels.get(id) : undefined;
      return c && (c.teamId === teamId || c.sharedWith?.includes(teamId)) ? c : undefined;
    };
    const user = (id: unknown) => {
      const u = typeof id === 'string' ? this.users.get(id) : undefined;
      return u?.teamId === teamId ? u : undefined;
    };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://example.slack.com/',
          team: this.teamNames.get(teamId) ?? 'Example',
          user: 'campaign-stats',
          team_id: teamId,
          user_id: bot,
          bot_id: 'B0BOT',
        };
      case 'chat.postMessage': {
        if (!channel(args.channel)) return { ok: false, error: 'channel_not_found' };
        const bad = this.checkMessage(args);
        if (bad) return bad;
        const thread = typeof args.thread_ts === 'string' ? args.thread_ts : null;
        if (thread && !this.find(thread)) return { ok: false, error: 'thread_not_found' };
        const m = this.add({
          channel: args.channel as string,
          threadTs: thread,
          visibleTo: null,
          user: bot,
          text: args.text as string,
          blocks: (args.blocks as unknown[]) ?? [],
        });
        return { ok: true, channel: m.channel, ts: m.ts, message: { text: m.text, ts: m.ts, blocks: m.blocks } };
      }
      case 'chat.postEphemeral': {
        if (!channel(args.channel)) return { ok: false, error: 'channel_not_found' };
        if (!user(args.user)) return { ok: false, error: 'user_not_found' };
        const bad = this.checkMessage(args);
        if (bad) return bad;
        const m = this.add({
          channel: args.channel as string,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : null,
          visibleTo: args.user as string,
          user: bot,
          text: args.text as string,
          blocks: (args.blocks as unknown[]) ?? [],
        });
        return { ok: true, message_ts: m.ts };
      }
      case 'chat.update': {
        if (!channel(args.channel)) return { ok: false, error: 'channel_not_found' };
        const m = typeof args.ts === 'string' ? this.find(args.ts) : undefined;
        if (!m || m.channel !== args.channel || m.deleted) return { ok: false, error: 'message_not_found' };
        if (m.user !== bot) return { ok: false, error: 'cant_update_message' };
        const bad = this.checkMessage(args);
        if (bad) return bad;
        m.text = args.text as string;
        m.blocks = (args.blocks as unknown[]) ?? [];
        m.edits++;
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'files.getUploadURLExternal': {
        if (typeof args.filename !== 'string' || !args.length) return { ok: false, error: 'invalid_arguments' };
        const id = `F${String(++this.seq).padStart(8, '0')}`;
        this.files.set(id, {
          id,
          filename: args.filename,
          title: null,
          altText: typeof args.alt_text === 'string' ? args.alt_text : null,
          bytes: null,
        });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as
          | Array<{ id: string; title?: string }>
          | undefined;
        if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
        for (const f of list) if (!this.files.get(f.id)?.bytes) return { ok: false, error: 'file_not_found' };
        const channelId = args.channel_id ?? args.channels;
        if (channelId !== undefined && !channel(channelId)) return { ok: false, error: 'channel_not_found' };
        for (const f of list) this.files.get(f.id)!.title = f.title ?? null;
        if (typeof channelId === 'string') {
          this.add({
            channel: channelId,
            threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : null,
            visibleTo: null,
            user: bot,
            text: String(args.initial_comment ?? ''),
            blocks: [],
            files: list.map((f) => f.id),
          });
        }
        return {
          ok: true,
          files: list.map((f) => ({
            id: f.id,
            title: f.title ?? this.files.get(f.id)!.filename,
            url_private: `${this.url}/files/${f.id}`,
          })),
        };
      }
      case 'conversations.info': {
        const c = channel(args.channel);
        return c
          ? { ok: true, channel: { id: c.id, name: c.name, is_channel: true, is_member: true } }
          : { ok: false, error: 'channel_not_found' };
      }
      case 'conversations.open': {
        // a direct message between the bot and one user (`users`: one id)
        const u = user(args.users);
        if (!u) return { ok: false, error: typeof args.users === 'string' ? 'user_not_found' : 'invalid_arguments' };
        const id = directChannelOf(u.id);
        if (!this.channels.has(id)) this.channels.set(id, { id, name: u.name, isPrivate: true, teamId });
        return { ok: true, channel: { id, is_im: true } };
      }
      case 'conversations.join': {
        const c = channel(args.channel);
        if (!c) return { ok: false, error: 'channel_not_found' };
        if (c.isPrivate) return { ok: false, error: 'method_not_supported_for_channel_type' };
        this.joined.add(c.id);
        return { ok: true, channel: { id: c.id, name: c.name, is_channel: true, is_member: true } };
      }
      case 'users.info': {
        const u = user(args.user);
        return u
          ? {
              ok: true,
              user: { id: u.id, name: u.name, real_name: u.name, tz: u.tz, is_admin: u.isAdmin, is_owner: false },
            }
          : { ok: false, error: 'user_not_found' };
      }
      case 'views.publish': {
        if (typeof args.user_id !== 'string' || !user(args.user_id)) return { ok: false, error: 'user_not_found' };
        const view = (typeof args.view === 'string' ? JSON.parse(args.view) : args.view) as { blocks?: unknown[] };
        const problems = viewProblems(view);
        if (problems.length) return { ok: false, error: 'invalid_arguments', errors: problems };
        this.views.set(args.user_id, view);
        return { ok: true, view };
      }
      case 'usergroups.list':
        return {
          ok: true,
          usergroups: (this.opts.usergroups ?? [])
            .filter((g) => (g.teamId ?? this.opts.teamId ?? 'T0001') === teamId)
            .map((g) => ({
              id: g.id,
              team_id: teamId,
              handle: g.handle,
              name: g.name ?? g.handle,
              is_usergroup: true,
            })),
        };
      case 'users.list':
        return {
          ok: true,
          members: [...this.users.values()]
            .filter((u) => u.teamId === teamId)
            .map((u) => ({ id: u.id, team_id: teamId, name: u.name, real_name: u.name, deleted: false })),
          response_metadata: { next_cursor: '' },
        };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** oauth.v2.access: the app's credentials (form fields or Basic auth) and a code from an approved install. */
  private oauthAccess(args: Args, authorization: string): Result {
    const basic = /^Basic (.+)$/.exec(authorization)?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':')
      : [args.client_id, args.client_secret];
    if (!this.opts.oauth || id !== this.opts.oauth.clientId) return { ok: false, error: 'invalid_client_id' };
    if (secret !== this.opts.oauth.clientSecret) return { ok: false, error: 'bad_client_secret' };
    const grant = typeof args.code === 'string' ? this.pendingCodes.get(args.code) : undefined;
    if (!grant) return { ok: false, error: 'invalid_code' };
    this.pendingCodes.delete(args.code as string);
    const token = `xoxb-${grant.teamId}-${++this.seq}-${Math.random().toString(36).slice(2, 12)}`;
    this.tokens.set(token, grant.teamId);
    return {
      ok: true,
      app_id: 'A0KRD7HC3',
      authed_user: { id: grant.userId },
      scope:
        'commands,chat:write,chat:write.public,channels:join,files:write,im:write,users:read,usergroups:read,channels:history,groups:history',
      token_type: 'bot',
      access_token: token,
      bot_user_id: this.opts.botUserId ?? 'U0BOT',
      team: { name: this.teamNames.get(grant.teamId) ?? grant.teamId, id: grant.teamId },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  private respond(key: string, args: Args): Result {
    const target = this.responseTargets.get(key);
    if (!target) return { ok: false, error: 'expired_url' };
    const bad = this.checkMessage(args);
    if (bad) return bad;
    const inChannel = args.response_type === 'in_channel';
    const existing = target.ts ? this.find(target.ts) : undefined;
    if (args.delete_original === true) {
      if (existing) existing.deleted = true;
      return { ok: true };
    }
    if (args.replace_original === true && existing) {
      existing.text = args.text as string;
      existing.blocks = (args.blocks as unknown[]) ?? [];
      existing.edits++;
      if (inChannel) existing.visibleTo = null;
      return { ok: true };
    }
    const m = this.add({
      channel: target.channel,
      threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : null,
      visibleTo: inChannel ? null : target.user,
      user: inChannel ? (this.opts.botUserId ?? 'U0BOT') : (this.opts.botUserId ?? 'U0BOT'),
      text: args.text as string,
      blocks: (args.blocks as unknown[]) ?? [],
    });
    if (!target.ts) target.ts = m.ts; // later replace_original on a command URL edits its first answer
    return { ok: true };
  }

  /** A message a person typed (a thread reply in local mode), as Slack would store it. */
  userMessage(m: { channel: string; user: string; text: string; threadTs: string | null }): StandInMessage {
    return this.add({ ...m, visibleTo: null, blocks: [] });
  }

  private add(m: Omit<StandInMessage, 'ts' | 'edits' | 'deleted' | 'files'> & { files?: string[] }): StandInMessage {
    const msg: StandInMessage = { ...m, files: m.files ?? [], ts: this.nextTs(), edits: 0, deleted: false };
    this.messages.push(msg);
    if (this.opts.maxMessagesPerChannel && msg.threadTs === null)
      this.trim(msg.channel, this.opts.maxMessagesPerChannel);
    return msg;
  }

  /** Drops a channel's oldest top-level messages past `max`, with their replies and the files only they showed. */
  private trim(channel: string, max: number): void {
    const top = this.messages.filter((x) => x.channel === channel && x.threadTs === null);
    if (top.length <= max) return;
    const gone = new Set(top.slice(0, top.length - max).map((x) => x.ts));
    const dropped = (x: StandInMessage) => x.channel === channel && gone.has(x.threadTs ?? x.ts);
    const filesOf = (x: StandInMessage) => [
      ...x.files,
      ...[...JSON.stringify(x.blocks ?? null).matchAll(/"id":"(F\w+)"/g)].map((m) => m[1]!),
    ];
    const kept = new Set(this.messages.filter((x) => !dropped(x)).flatMap(filesOf));
    for (const id of this.messages.filter(dropped).flatMap(filesOf)) if (!kept.has(id)) this.files.delete(id);
    this.messages.splice(0, this.messages.length, ...this.messages.filter((x) => !dropped(x)));
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Web API arguments as Slack reads them: form fields (nested values JSON-encoded), JSON, or multipart. */
async function parseArgs(req: http.IncomingMessage, body: Buffer, url: URL): Promise<Args> {
  const type = String(req.headers['content-type'] ?? '');
  const out: Args = Object.fromEntries(url.searchParams);
  if (type.startsWith('application/json')) return { ...out, ...(JSON.parse(body.toString('utf8') || '{}') as Args) };
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body }).formData();
    for (const [k, v] of form) out[k] = typeof v === 'string' ? v : Buffer.from(await v.arrayBuffer());
  } else {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) out[k] = v;
  }
  for (const k of ['blocks', 'attachments', 'view', 'files']) {
    if (typeof out[k] === 'string') {
      try {
        out[k] = JSON.parse(out[k] as string);
      } catch {
        /* left as text: the checks will refuse it */
      }
    }
  }
  return out;
}

async function fileBytes(req: http.IncomingMessage, body: Buffer): Promise<Buffer> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data')) return body;
  const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body }).formData();
  for (const [, v] of form) if (typeof v !== 'string') return Buffer.from(await v.arrayBuffer());
  return Buffer.alloc(0);
}
