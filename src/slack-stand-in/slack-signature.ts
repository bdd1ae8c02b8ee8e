import crypto from 'node:crypto';

/**
 * The headers Slack sends with a request: `v0=` HMAC-SHA256 of "v0:timestamp:body" under the
 * app's signing secret. The local page signs what it forwards to the app with it, and so do the
 * tests and benches that talk to the app the way Slack does.
 */
export function slackRequestHeaders(
  secret: string,
  body: string,
  opts: { timestamp?: number; contentType?: string } = {},
): Record<string, string> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = crypto.createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}
