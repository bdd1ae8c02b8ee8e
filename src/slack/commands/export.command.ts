import type { WebClient } from '@slack/web-api';
import { stringify } from 'csv-stringify/sync';
import type { RequestContext } from '../../settings/request-context';
import { exportMessage } from '../../stats/export.blocks';
import { exportInMemory } from '../../stats/export.service';
import { resolveQuery } from '../../stats/stats-view.service';
import type { SlackMessage } from '../../messages/message';
import { wordErrorsMessage } from '../blocks/help.blocks';
import type { SlackDeps } from '../slack-deps';

/**
 * `/campaign-stats export [words]` and the answer's Export CSV button: the two CSV files of the
 * words, within the request's scope, uploaded (files.uploadV2) to a direct message with the
 * person who asked. Returns the private reply.
 */
export async function exportToRequester(
  deps: SlackDeps,
  client: WebClient,
  ctx: RequestContext,
  words: string,
): Promise<SlackMessage> {
  const now = deps.clock.now();
  const build = async () => {
    const resolved = await resolveQuery(deps.db, words, ctx.zone, now, ctx.accounts);
    if (!resolved.ok) return { ok: false as const, errors: resolved.errors };
    return { ok: true as const, outcome: await exportInMemory(deps.db, resolved.query, words) };
  };
  const built = deps.reads ? await deps.reads.run(build) : await build();
  if (!built.ok) return wordErrorsMessage(built.errors);
  const o = built.outcome;
  if (o.type !== 'files') return exportMessage(o);
  const dm = await client.conversations.open({ users: ctx.userId });
  const channel = (dm.channel as { id?: string } | undefined)?.id;
  if (!channel) throw new Error('conversations.open returned no channel');
  await client.filesUploadV2({
    channel_id: channel,
    initial_comment: `Export of \`${o.title}\` (dates in ${ctx.zone}).`,
    file_uploads: o.files.map((f) => ({
      file: Buffer.from(stringify([f.columns as unknown as string[], ...f.rows])),
      filename: f.filename,
      title: f.filename,
    })),
  });
  return exportMessage({
    type: 'sent',
    title: o.title,
    rows: o.files[0]!.rows.length,
    reasonRows: o.files[1]!.rows.length,
  });
}
