#!/usr/bin/env node
'use strict';
// `npm ci` builds the TypeScript sources (dist/). A production install without dev
// dependencies (`npm ci --omit=dev`) has no compiler: it builds nothing and says how to, instead
// of failing the install. A compile error still fails a normal install.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  const built = fs.existsSync(path.join(__dirname, '..', 'dist', 'src', 'cli.js'));
  console.error(
    built
      ? 'prepare: no TypeScript here (dev dependencies omitted): keeping the build in dist/'
      : 'prepare: no TypeScript here (dev dependencies omitted) and no build in dist/: build first with `npm ci && npm run build`, then `npm prune --omit=dev` (README, Running it in production)',
  );
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
  stdio: 'inherit',
  cwd: path.join(__dirname, '..'),
});
process.exit(r.status ?? 1);
