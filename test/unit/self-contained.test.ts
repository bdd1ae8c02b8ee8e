import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** A user clones only the repository: nothing in it may read or link a path outside it. */
const ROOT = path.resolve(__dirname, '../..');
const OUTSIDE = /\.\.\/shared\b|shared\/DESIGN\.md|shared\/fixtures/;

function files(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return files(rel);
    return /\.(ts|js|mjs|json|md|html|sh)$/.test(e.name) || e.name === 'run' ? [rel] : [];
  });
}

describe('the repository stands alone', () => {
  it('no file in src/, test/, bench/, web/, bin/, .ci/ or the README refers to a path outside the repository', () => {
    const all = ['src', 'test', 'bench', 'web', 'bin', 'migrations', '.ci', 'docs'].flatMap(files).concat('README.md');
    const offenders = all.filter(
      (f) =>
        f !== path.join('test', 'unit', 'self-contained.test.ts') &&
        OUTSIDE.test(fs.readFileSync(path.join(ROOT, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('ships the fixtures, the contract and example import files', () => {
    for (const f of [
      'test/fixtures/slack-slash-command.txt',
      'test/fixtures/twilio-status-callback.txt',
      'docs/domain-and-contract.md',
      'docs/examples/messages.csv',
      'docs/examples/messages.ndjson',
    ]) {
      expect(fs.existsSync(path.join(ROOT, f)), f).toBe(true);
    }
  });
});
