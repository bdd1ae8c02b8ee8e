/**
 * A worker thread that computes stats answers on its own database connection, so an answer's
 * CPU (parsing and summing tens of thousands of count rows for a long period) never holds the
 * event loop that answers Twilio callbacks (issue 12; bench/heavy-answers.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDb } from '../db/knex';
import type { AnswerRequest, AnswerReply, AnswerWorkerData } from './answer-pool';
import { buildStatsView } from './stats-view.service';

const data = workerData as AnswerWorkerData;
const db = createDb(data, { statementTimeout: data.statementTimeout, poolMax: 4 });

parentPort!.on('message', async (req: AnswerRequest) => {
  let reply: AnswerReply;
  try {
    const result = await buildStatsView(db, req.text, req.zone, new Date(req.now), req.accounts);
    reply = { id: req.id, result };
  } catch (err) {
    const e = err as { message?: string; errno?: number; code?: string };
    reply = { id: req.id, error: { message: String(e?.message ?? err), errno: e?.errno, code: e?.code } };
  }
  parentPort!.postMessage(reply);
});
