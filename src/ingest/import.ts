import fs from 'node:fs';
import readline from 'node:readline';
import { parse } from 'csv-parse';
import { SingleBar, Presets } from 'cli-progress';
import type { Knex } from 'knex';
import { inTransaction } from '../db/dialect';
import { ingestMessagesInTrx, type IngestSummary } from './ingest.service';
import { fieldErrors, messageRecordSchema, type FieldError, type MessageRecord } from './schemas';

/**
 * `campaign-stats import FILE`: CSV (header row with the API's field names) or NDJSON (one
 * API record per line). Every line is validated first; one bad line and nothing is written.
 * Then the whole file is written in one transaction, 1,000 records at a time.
 */

export type ImportFormat = 'csv' | 'ndjson';

export interface LineError extends FieldError {
  line: number;
}

export type ImportResult = { ok: true; summary: IngestSummary; lines: number } | { ok: false; errors: LineError[] };

const INTEGER_FIELDS = new Set(['segments', 'error_code']);

export function detectFormat(file: string): ImportFormat | null {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  return null;
}

/** CSV cells are text: empty cells are absent, numeric fields must be whole numbers. */
function fromCsvRow(row: Record<string, string>): { value: Record<string, unknown> } | { error: FieldError } {
  const value: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === '') continue;
    if (INTEGER_FIELDS.has(k)) {
      if (!/^\d+$/.test(v)) return { error: { path: k, message: `must be a whole number, got "${v}"` } };
      value[k] = Number(v);
    } else value[k] = v;
  }
  return { value };
}

async function* readRecords(
  file: string,
  format: ImportFormat,
): AsyncGenerator<{ line: number; value: unknown } | { line: number; error: FieldError }> {
  if (format === 'ndjson') {
    const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let line = 0;
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      try {
        yield { line, value: JSON.parse(text) };
      } catch (err) {
        yield { line, error: { path: '(line)', message: `not valid JSON: ${(err as Error).message}` } };
      }
    }
    return;
  }
  // A malformed line (wrong column count, broken quoting) is reported and skipped, so that
  // every bad line of the file is named in one run.
  const skipped: FieldError[] = [];
  const skippedLines: number[] = [];
  const parser = parse({
    columns: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
    skip_records_with_error: true,
  });
  parser.on('skip', (err: { lines?: number; message: string }) => {
    skippedLines.push(err.lines ?? 0);
    skipped.push({ path: '(line)', message: `malformed CSV: ${err.message}` });
  });
  fs.createReadStream(file, 'utf8').pipe(parser);
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { line: rec.info.lines, ...fromCsvRow(rec.record) };
  }
  for (let i = 0; i < skipped.length; i++) yield { line: skippedLines[i]!, error: skipped[i]! };
}

export async function importFile(
  db: Knex,
  file: string,
  opts: { format?: ImportFormat; now: Date; mmsSegments: number; progress?: boolean },
): Promise<ImportResult> {
  const format = opts.format ?? detectFormat(file);
  if (!format)
    return {
      ok: false,
      errors: [
        {
          line: 0,
          path: '(file)',
          message: `cannot tell the format of ${file}: name it .csv or .ndjson, or pass --format`,
        },
      ],
    };
  if (!fs.existsSync(file))
    return { ok: false, errors: [{ line: 0, path: '(file)', message: `${file} does not exist` }] };

  const records: Array<{ line: number; record: MessageRecord }> = [];
  const errors: LineError[] = [];
  for await (const item of readRecords(file, format)) {
    if ('error' in item) {
      errors.push({ line: item.line, ...item.error });
      continue;
    }
    const parsed = messageRecordSchema.safeParse(item.value);
    if (!parsed.success) for (const e of fieldErrors(parsed.error)) errors.push({ line: item.line, ...e });
    else records.push({ line: item.line, record: parsed.data });
  }
  if (errors.length) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  if (records.length === 0)
    return { ok: false, errors: [{ line: 0, path: '(file)', message: 'the file holds no records' }] };

  const bar = opts.progress
    ? new SingleBar(
        { format: 'importing [{bar}] {percentage}% | {value}/{total} records | ETA {eta}s', stream: process.stderr },
        Presets.shades_classic,
      )
    : null;
  const summary: IngestSummary = { received: 0, inserted: 0, updated: 0, unchanged: 0 };
  const lineErrors: LineError[] = [];
  bar?.start(records.length, 0);
  try {
    await inTransaction(db, async (trx) => {
      Object.assign(summary, { received: 0, inserted: 0, updated: 0, unchanged: 0 });
      bar?.update(0);
      for (let i = 0; i < records.length; i += 1000) {
        const chunk = records.slice(i, i + 1000);
        const result = await ingestMessagesInTrx(
          trx,
          chunk.map((c) => c.record),
          { now: opts.now, mmsSegments: opts.mmsSegments, pathPrefix: (j) => `line ${chunk[j]!.line}` },
        );
        if (!result.ok) {
          for (const e of result.errors)
            lineErrors.push({
              line: Number(/line (\d+)/.exec(e.path)?.[1] ?? 0),
              path: e.path.replace(/^line \d+\./, ''),
              message: e.message,
            });
          throw new Error('rollback');
        }
        for (const k of ['received', 'inserted', 'updated', 'unchanged'] as const) summary[k] += result.summary[k];
        bar?.update(Math.min(i + 1000, records.length));
      }
    });
  } catch (err) {
    if (lineErrors.length) return { ok: false, errors: lineErrors };
    throw err;
  } finally {
    bar?.stop();
  }
  return { ok: true, summary, lines: records.length };
}
