#!/usr/bin/env node
'use strict';
// The compiled CLI (npm install / npm ci build it through the `prepare` script).
const { runCli } = require('../dist/src/cli.js');

runCli(process.argv.slice(2), process.env, { out: (s) => console.log(s), err: (s) => console.error(s) }).then(
  (code) => {
    process.exitCode = code;
    // a server that has stopped exits now, whatever timers a library left behind
    if (['serve', 'worker'].includes(process.argv[2])) process.exit(code);
  },
  (err) => {
    console.error(err?.stack ? err.stack : err);
    process.exitCode = 1;
  },
);
