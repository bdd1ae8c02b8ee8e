import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The local page draws Slack's emoji codes itself: every code the app writes into a message
 * has a character there (a restored row showed a raw `:leftwards_arrow_with_hook:`).
 */
const ROOT = path.resolve(__dirname, '../..');
const files = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );

describe('the local page’s emoji', () => {
  it('has a character for every emoji code the app sends', () => {
    const page = fs.readFileSync(path.join(ROOT, 'web/app.js'), 'utf8');
    const map = page.slice(page.indexOf('const EMOJI = {'), page.indexOf('};', page.indexOf('const EMOJI = {')));
    const known = new Set([...map.matchAll(/^\s+([a-z_]+):/gm)].map((m) => m[1]!));
    const used = new Set(
      files(path.join(ROOT, 'src'))
        .filter((f) => !f.includes(`${path.sep}workspace${path.sep}`)) // the stand-in's own comments
        .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/[`'\s(]:([a-z_]+):/g)].map((m) => m[1]!)),
    );
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((code) => !known.has(code))).toEqual([]);
  });
});
