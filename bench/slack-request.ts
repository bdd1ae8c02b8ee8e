import { slackRequestHeaders } from '../src/slack-stand-in/slack-signature';
import type { SlackStandIn } from '../src/slack-stand-in/slack-stand-in';

export const CHANNEL = 'C2147483705';
export const USER = 'U2147483697';

/** `/campaign-stats <text>` as Slack sends it: a signed form post to /slack/events. */
export async function slashCommand(base: string, secret: string, standIn: SlackStandIn, text: string): Promise<void> {
  const body = new URLSearchParams({
    token: 'x',
    team_id: 'T0001',
    channel_id: CHANNEL,
    user_id: USER,
    command: '/campaign-stats',
    text,
    response_url: standIn.commandResponseUrl(CHANNEL, USER),
    trigger_id: 't',
    api_app_id: 'A1',
  }).toString();
  const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: slackRequestHeaders(secret, body), body });
  await res.text();
}
