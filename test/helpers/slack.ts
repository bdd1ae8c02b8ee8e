import fs from 'node:fs';
import path from 'node:path';
import { slackRequestHeaders } from '../../src/slack-stand-in/slack-signature';
import type { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const BOT_TOKEN = 'xoxb-test-token-campaign-stats';
const FIXTURES = path.resolve(__dirname, '../fixtures');

/** Signs a raw body exactly as Slack does (v0, HMAC-SHA256 over "v0:ts:body"). */
export function slackHeaders(
  body: string,
  opts: { secret?: string; timestamp?: number; contentType?: string } = {},
): Record<string, string> {
  return slackRequestHeaders(opts.secret ?? SIGNING_SECRET, body, opts);
}

/** The fixture slash command with our own text and a response URL on the stand-in. */
export function slashCommandBody(standIn: SlackStandIn, text: string): string {
  const params = new URLSearchParams(fs.readFileSync(path.join(FIXTURES, 'slack-slash-command.txt'), 'utf8').trim());
  params.set('text', text);
  params.set('response_url', standIn.commandResponseUrl(params.get('channel_id')!, params.get('user_id')!));
  return params.toString();
}

/** The fixture block_actions payload, turned into the action given, from message `ts`. */
export function blockActionBody(
  standIn: SlackStandIn,
  ts: string,
  action: Record<string, unknown>,
  opts: { ephemeral?: boolean; threadTs?: string } = {},
): string {
  const payload = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'slack-block-actions.json'), 'utf8'));
  payload.container = { ...payload.container, message_ts: ts, is_ephemeral: opts.ephemeral ?? true };
  if (opts.ephemeral ?? true) delete payload.message;
  else payload.message = { ...payload.message, ts, ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}) };
  if (opts.threadTs) payload.container.thread_ts = opts.threadTs; // as Slack sends a click in a thread
  payload.response_url = standIn.messageResponseUrl(payload.channel.id, payload.user.id, ts);
  payload.actions = [{ action_ts: `${Math.floor(Date.now() / 1000)}.000100`, ...action }];
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export async function postSlack(base: string, body: string, headers = slackHeaders(body)) {
  const started = performance.now();
  const res = await fetch(`${base}/slack/events`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

/** Waits until the stand-in has received `count` calls of `method` (the app answers asynchronously). */
export async function waitForCalls(standIn: SlackStandIn, method: string, count: number, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (standIn.callsTo(method).length < count) {
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${count} ${method} call(s); got ${standIn.callsTo(method).length}: ${JSON.stringify(standIn.calls.map((c) => [c.method, c.error]))}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
  return standIn.callsTo(method);
}

/** All mrkdwn / plain text of a message's blocks, in order, for assertions on what people read. */
export function blockTexts(blocks: unknown[]): string[] {
  const out: string[] = [];
  const walk = (b: any) => {
    if (!b || typeof b !== 'object') return;
    if (typeof b.text === 'string' && (b.type === 'mrkdwn' || b.type === 'plain_text')) out.push(b.text);
    for (const v of Object.values(b)) if (v && typeof v === 'object') walk(v);
  };
  blocks.forEach(walk);
  return out;
}
