import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../../src/slack-stand-in/slack-stand-in';
import { BOT_TOKEN } from '../helpers/slack';

// Local mode keeps its workspace in a file that is rewritten whole: it must not grow without end.
describe('the Slack stand-in with maxMessagesPerChannel', () => {
  let standIn: SlackStandIn;
  let slack: WebClient;
  beforeAll(async () => {
    standIn = await new SlackStandIn({
      token: BOT_TOKEN,
      channels: [
        { id: 'C0A', name: 'a' },
        { id: 'C0B', name: 'b' },
      ],
      maxMessagesPerChannel: 3,
    }).start();
    slack = new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => standIn?.stop());

  it('keeps the newest 3 top-level messages of each channel, with their threads, and drops the older ones with their replies', async () => {
    const first = await slack.chat.postMessage({ channel: 'C0A', text: 'a1' });
    await slack.chat.postMessage({ channel: 'C0A', text: 'reply to a1', thread_ts: first.ts! });
    const second = await slack.chat.postMessage({ channel: 'C0A', text: 'a2' });
    await slack.chat.postMessage({ channel: 'C0A', text: 'reply to a2', thread_ts: second.ts! });
    await slack.chat.postMessage({ channel: 'C0B', text: 'b1' });
    for (const t of ['a3', 'a4', 'a5']) await slack.chat.postMessage({ channel: 'C0A', text: t });
    // the dropped thread is gone as in Slack; a reply to a kept one never pushes a top-level message out
    await expect(slack.chat.postMessage({ channel: 'C0A', text: 'late', thread_ts: second.ts! })).rejects.toThrow(
      'thread_not_found',
    );
    const kept = standIn.messages.find((m) => m.text === 'a3')!;
    await slack.chat.postMessage({ channel: 'C0A', text: 'reply to a3', thread_ts: kept.ts });
    expect(standIn.messages.filter((m) => m.channel === 'C0A').map((m) => m.text)).toEqual([
      'a3',
      'a4',
      'a5',
      'reply to a3',
    ]);
    expect(standIn.messages.filter((m) => m.channel === 'C0B').map((m) => m.text)).toEqual(['b1']);
  });
});
