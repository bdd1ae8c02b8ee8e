/**
 * Signed Twilio status callbacks through the real HTTP route, from `wrk` (Debian package
 * `wrk`): a C load generator, so the 2 cores go to the server and MariaDB rather than to the
 * client. Requests (body + X-Twilio-Signature from the official twilio package) are prepared first.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import twilio from 'twilio';

const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';

export interface CallbackLoad {
  port: number;
  script: string;
  cleanup(): void;
}

export function prepareCallbackLoad(ids: string[]): CallbackLoad {
  const port = 3900 + Math.floor(Math.random() * 90);
  const url = `http://127.0.0.1:${port}/webhooks/twilio/status`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
  const lines = ids.map((id, i) => {
    const s = ['sent', 'delivered', 'undelivered'][i % 3]!;
    const params: Record<string, string> = {
      MessageSid: id,
      MessageStatus: s,
      AccountSid: `AC${'0'.repeat(32)}`,
      ...(s === 'undelivered' ? { ErrorCode: '30007' } : {}),
    };
    return `{${JSON.stringify(new URLSearchParams(params).toString())},${JSON.stringify(twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params))}},`;
  });
  fs.writeFileSync(path.join(dir, 'requests.lua'), `return {\n${lines.join('\n')}\n}\n`);
  const script = path.join(dir, 'callbacks.lua');
  fs.writeFileSync(
    script,
    `local reqs = dofile(${JSON.stringify(path.join(dir, 'requests.lua'))})
local i = 0
request = function()
  i = i + 1
  local r = reqs[(i % #reqs) + 1]
  return wrk.format("POST", "/webhooks/twilio/status", { ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = r[2] }, r[1])
end
`,
  );
  return { port, script, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** `node dist/src/cli.js serve` on the load's port, ready when /readyz answers. */
export async function startServer(load: CallbackLoad, env: Record<string, string>) {
  const base = `http://127.0.0.1:${load.port}`;
  const child = spawn(process.execPath, [path.resolve(__dirname, '../src/cli.js'), 'serve'], {
    env: {
      ...process.env,
      PORT: String(load.port),
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_BASE_URL: base,
      LOG_LEVEL: 'warn',
      RUN_SCHEDULER: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Runs wrk against the server; rate of 2xx answers and latency percentiles as wrk prints them. */
export async function runWrk(load: CallbackLoad, base: string, concurrency: number, seconds: number) {
  const { stdout: out } = await promisify(execFile)(
    'wrk',
    ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--latency', '-s', load.script, base],
    { encoding: 'utf8' },
  );
  const completed = Number(/(\d+) requests in ([\d.]+)s/.exec(out)?.[1]);
  const took = Number(/(\d+) requests in ([\d.]+)s/.exec(out)?.[2]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const p50 = /50%\s+([\d.]+\w+)/.exec(out)?.[1];
  const p99 = /99%\s+([\d.]+\w+)/.exec(out)?.[1];
  return {
    completed,
    ok: completed - non2xx,
    failed: non2xx,
    rate: (completed - non2xx) / took,
    seconds: took,
    p50,
    p99,
  };
}

/** wrk's "127.01ms" / "1.20s" / "950.00us" in milliseconds. */
export function toMs(x: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(x ?? '');
  if (!m) return Number.NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
}
