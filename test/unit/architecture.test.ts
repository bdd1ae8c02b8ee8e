import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Arrows go one way: the folders of src/ form no import cycle, the message kit and the domain
 * are leaves, and only the composition (app, cli, local mode) reaches the Slack edge.
 */
const SRC = path.resolve(__dirname, '../../src');

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

const folderOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!.replace(/\.ts$/, '');

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    const deps = graph.get(from) ?? new Set<string>();
    graph.set(from, deps);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (!target.startsWith(SRC)) continue; // migrations
      const to = folderOf(target);
      if (to !== from) deps.add(to);
    }
  }
  return graph;
}

function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const walk = (node: string, trail: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = trail.indexOf(next);
      if (at >= 0) found.push([...trail.slice(at), next]);
      else walk(next, [...trail, next]);
    }
  };
  for (const node of graph.keys()) walk(node, [node]);
  return found;
}

describe('the dependency direction of src/', () => {
  const graph = folderGraph();

  it('has no folder-level import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps the message kit a leaf, the domain pure, and the Slack edge at the top', () => {
    expect([...graph.get('messages')!]).toEqual([]);
    expect([...graph.get('domain')!]).toEqual([]);
    const reachesSlack = [...graph]
      .filter(([, deps]) => deps.has('slack'))
      .map(([f]) => f)
      .sort();
    expect(reachesSlack).toEqual(['app']);
  });

  it('leaves the words to *.blocks.ts: no service writes a Slack reply itself', () => {
    const writers = sources(SRC)
      .filter((f) => f.endsWith('.service.ts'))
      .filter((f) => /\b(notice|escapeMrkdwn)\(/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(writers).toEqual([]);
  });
});
