import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORM_USES } from '../../src/domain/account-scope';

/**
 * Isolation by construction (issue 16): a read of tenant data takes a scope, always. These
 * checks keep the two ways it could be forgotten out of src/: a scope parameter that is
 * optional or has a default, and a scope of every account made anywhere but the places named.
 */
const SRC = path.resolve(__dirname, '../../src');
const files = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
const rel = (f: string) => path.relative(path.resolve(SRC, '..'), f);

/** the only files that may make a scope of every account, each for a use in PLATFORM_USES */
const PLATFORM_FILES: Record<string, ReadonlyArray<keyof typeof PLATFORM_USES>> = {
  'src/workspaces/workspaces.service.ts': ['single-workspace mode', 'platform workspace'],
  'src/workspaces/workspace-directory.ts': ['single-workspace mode'],
  'src/cli.ts': ['operator CLI'],
};

describe('tenant reads always carry a scope', () => {
  it('no scope parameter is optional or defaulted, and nothing defaults to every account', () => {
    const offending = files(SRC).flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => [`${rel(f)}:${i + 1}`, line] as const)
        .filter(([, line]) => !line.includes('EVERY_ACCOUNT: AccountScope'))
        .filter(([, line]) => /\w+\?:\s*AccountScope\b|:\s*AccountScope\s*=|ALL_ACCOUNTS|accounts\s*\?\?/.test(line))
        .map(([at, line]) => `${at}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });

  it('a scope of every account is made only where the list of platform uses says', () => {
    const uses = files(SRC).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/platformScope\('([^']+)'\)/g)].map((m) => [rel(f), m[1]!] as const),
    );
    for (const [file, use] of uses) {
      expect(Object.keys(PLATFORM_USES), `${file}: "${use}" is not a named platform use`).toContain(use);
      expect(PLATFORM_FILES[file] ?? [], `${file} may not see every account ("${use}")`).toContain(use);
    }
    // and every call is of that literal form (no computed use, no alias of the function)
    const calls = files(SRC).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/platformScope\(/g)].map(() => rel(f)),
    );
    expect(calls.length).toBe(uses.length + 1); // + its definition
  });
});
