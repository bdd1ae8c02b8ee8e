import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasonMatch } from '../../src/domain/reasons';
import { TEST_NOW_ISO } from '../helpers/now';
import { freePort } from '../helpers/ports';

/**
 * The local mode, as a person sees it: the app started from nothing (no Slack, no database
 * server), driven in Debian's headless Chromium. Set UPDATE_SCREENSHOTS=1 to refresh docs/.
 */
const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/campaign-stats.js');
const CHROMIUM = '/usr/bin/chromium';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-local-'));
/** Chosen by the kernel once, before the first start; the restart reuses it. */
let port = 0;
let base = '';
const shots = process.env.UPDATE_SCREENSHOTS === '1';
/** The server's clock, pinned: what the page shows must not depend on the day or hour the test runs. */
const NOW = TEST_NOW_ISO;
/** The CLI on the same data and clock as the server under test. */
const cliStats = (...words: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, [BIN, 'stats', ...words, '--json'], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', FIXED_NOW: NOW },
      encoding: 'utf8',
    }),
  );

async function startServer(): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    FIXED_NOW: NOW,
  };
  for (const k of ['DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'CHART_RENDERER'])
    delete env[k];
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (
      await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the app did not come up in two minutes');
}

async function stopServer(child: ChildProcess) {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

const lastTopLevel = (page: Page) => page.locator('#messages > .msg').last();

describe('local mode in a browser', () => {
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  beforeAll(async () => {
    expect(fs.existsSync(CHROMIUM), 'Debian chromium is required (apt-get install chromium); .ci/run installs it').toBe(
      true,
    );
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(base);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /campaign-stats 30d mms with the exact demo numbers and a chart', async () => {
    await page.fill('#command', '/campaign-stats 30d mms');
    await page.press('#command', 'Enter');
    const answer = lastTopLevel(page);
    await answer.locator('.block.header', { hasText: 'Campaign stats · Last 30 days' }).waitFor();
    const expected = cliStats('30d', 'mms');
    const fmt = (n: number) => n.toLocaleString('en-US');
    await expect
      .poll(() => answer.locator('.section').first().innerText())
      .toContain(`Total Segments: ${fmt(expected.totals.segments)} · ${fmt(expected.totals.messages)} messages`);
    await expect
      .poll(() => answer.locator('.fields').innerText())
      .toContain(`Delivery (Unconfirmed)\n${fmt(expected.statuses.delivered_unconfirmed.segments)} seg`);
    const img = answer.locator('.block.image img');
    await img.waitFor();
    await expect
      .poll(() =>
        img.evaluate((el) =>
          (el as unknown as { complete: boolean }).complete
            ? (el as unknown as { naturalWidth: number }).naturalWidth
            : 0,
        ),
      )
      .toBeGreaterThan(100);
    if (shots) {
      await page.setViewportSize({ width: 1400, height: 1900 }); // the whole answer in view
      await answer.screenshot({ path: path.join(ROOT, 'docs/screenshot-breakdown.png') });
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  it('scrolls to the answer a command produces', async () => {
    await page.fill('#command', '/campaign-stats 7d');
    await page.press('#command', 'Enter');
    const answer = lastTopLevel(page);
    await answer.locator('.block.header', { hasText: 'Campaign stats · Last 7 days' }).waitFor();
    await expect
      .poll(() => answer.evaluate((el) => Math.round(el.getBoundingClientRect().top)))
      .toBeLessThan(await page.evaluate(() => (globalThis as unknown as { innerHeight: number }).innerHeight / 2));
    expect(await answer.evaluate((el) => el.getBoundingClientRect().top)).toBeGreaterThanOrEqual(0);
  });

  it('redraws the same message when the carrier select changes', async () => {
    const before = await page.locator('#messages > .msg').count();
    const answer = lastTopLevel(page);
    await answer.locator('select[data-action-id="stats_carrier"]').selectOption({ label: 'Verizon' });
    await expect.poll(() => answer.locator('.block.context').first().innerText()).toContain('carrier Verizon');
    await answer.locator('.edited').waitFor({ state: 'visible' });
    expect(await page.locator('#messages > .msg').count()).toBe(before);
  });

  it('raises the seeded incident as an alert, and shows who acknowledged it', async () => {
    await page.click('#replay-incident');
    const alert = page.locator('#messages > .msg', { hasText: 'Carrier-blocked spike — T-Mobile · SMS' });
    await alert.waitFor();
    // the same incident on any day the demo is loaded: one alert here, its copy in the merchant's channel
    await expect
      .poll(() => page.locator('#run-result').innerText())
      .toMatch(
        /^Evaluated as of \d{4}-\d\d-\d\d 21:00 UTC: 1 alert opened here \(1 in the other workspace's channel\)\.$/,
      );
    await expect
      .poll(() => alert.locator('.section').first().innerText())
      .toContain('44.2% of 217 settled messages sent in the last 2 hours were undelivered at the peak');
    await alert.locator('button[data-action-id="alert_ack"]').click();
    await expect.poll(() => alert.locator('.block.context').innerText()).toContain('Acknowledged by @you');
    await alert.locator('.replies').click();
    await expect.poll(() => page.locator('#thread-messages').innerText()).toContain('Acknowledged by @you.');
    // the thread's reply box: `ack` again is answered privately in the thread
    await page.fill('#reply', 'ack');
    await page.press('#reply', 'Enter');
    await expect
      .poll(() => page.locator('#thread-messages').innerText())
      .toContain('Nothing changed: it was already acknowledged by @you.');
    if (shots) {
      await page.screenshot({ path: path.join(ROOT, 'docs/screenshot-alert.png') });
    }
  });

  it('opens the digest', async () => {
    // whatever the day the test runs (a Sunday, a Monday), the button names the last day with
    // campaigns, and that digest has figures
    const { digest: day } = (await (await fetch(`${base}/local/state`)).json()) as {
      digest: { date: string; label: string };
    };
    expect(day.label).toMatch(/^(Monday|Tuesday|Wednesday|Thursday|Friday) [A-Z][a-z]{2} \d{1,2}$/);
    await expect.poll(() => page.locator('#run-digest').innerText()).toBe(`Post the digest for ${day.label}`);
    await page.click('#run-digest');
    // exactly one digest of that day in the channel, whether the scheduler posted it at start or the click did
    const ofDay = page.locator('#messages > .msg', { hasText: new RegExp(`Daily digest · ${day.label}(?!\\d)`) });
    await expect.poll(() => ofDay.count()).toBe(1);
    const digest = ofDay.last();
    await expect.poll(() => digest.innerText()).toContain(`Daily digest · ${day.label}`);
    await expect.poll(() => digest.innerText()).toContain('spent on undelivered segments');
    if (shots) await digest.screenshot({ path: path.join(ROOT, 'docs/screenshot-digest.png') });
  });

  it('says what each Run-now button did', async () => {
    await page.click('#run-alerts');
    await expect
      .poll(() => page.locator('#run-result').innerText())
      .toMatch(/^No alert as of \d{4}-\d\d-\d\d \d\d:\d\d UTC: every scope is under its threshold\.$/);
    // a second click posts no second copy of the same digest, and says so
    const digests = await page.locator('#messages > .msg', { hasText: 'Daily digest ·' }).count();
    await page.click('#run-digest');
    await expect
      .poll(() => page.locator('#run-result').innerText())
      .toMatch(/^The digest for [A-Z][a-z]+ [A-Z][a-z]{2} \d{1,2} is already in the channel \(scroll up\)\.$/);
    expect(await page.locator('#messages > .msg', { hasText: 'Daily digest ·' }).count()).toBe(digests);
  });

  it('switches workspaces: the merchant sees its own account, the platform every account', async () => {
    const stats = cliStats;
    const fmt = (n: number) => n.toLocaleString('en-US');
    const total = async () => {
      await page.fill('#command', '/campaign-stats 30d');
      await page.press('#command', 'Enter');
      const answer = lastTopLevel(page);
      await answer.locator('.block.header', { hasText: 'Campaign stats · Last 30 days' }).waitFor();
      return answer.locator('.section').first().innerText();
    };
    const all = stats('30d');
    const greenleaf = stats('30d', 'account:acct_greenleaf');
    expect(greenleaf.totals.segments).toBeLessThan(all.totals.segments);
    await page.click('button.workspace[data-team="T0GREEN"]');
    await expect.poll(() => page.locator('#channel-name').innerText()).toBe('# greenleaf-marketing');
    // its own channel: its digest, its auto-unsubscribes and its copy of the alert, nothing of the platform's
    const merchant = async () =>
      (
        (await (await fetch(`${base}/local/state?team=T0GREEN`)).json()) as {
          messages: Array<{ text: string; threadTs: string | null }>;
        }
      ).messages
        .filter((m) => m.threadTs === null)
        .map((m) =>
          m.text
            .replace(/^\d+ numbers? (was|were) auto-unsubscribed.*$/s, 'N auto-unsubscribed')
            .replace(/^(Daily digest|Carrier-blocked spike) .*$/s, '$1'),
        )
        .sort();
    // (today's digest only if the app started within its grace period after 09:00 UTC)
    const seen = await merchant();
    const digests = seen.filter((t) => t === 'Daily digest').length;
    expect(digests).toBeLessThanOrEqual(1);
    expect(seen.filter((t) => t !== 'Daily digest')).toEqual(['Carrier-blocked spike', 'N auto-unsubscribed']);
    await expect.poll(() => page.locator('#messages > .msg').count()).toBe(seen.length);
    await expect
      .poll(total)
      .toContain(`Total Segments: ${fmt(greenleaf.totals.segments)} · ${fmt(greenleaf.totals.messages)} messages`);
    await page.fill('#command', '/campaign-stats 30d account:acct_sunset');
    await page.press('#command', 'Enter');
    await expect.poll(() => lastTopLevel(page).innerText()).toContain('no account called "acct_sunset"');
    // its copy of the alert has no replies yet, and still offers a thread to reply `ack` in;
    // your reply there is yours (not the app's), and a word the app does not know is answered
    const alertHere = page.locator('#messages > .msg', { hasText: 'Carrier-blocked spike' });
    await alertHere.locator('.replies', { hasText: 'Reply in thread' }).click();
    await page.fill('#reply', 'hello');
    await page.press('#reply', 'Enter');
    await expect
      .poll(() => page.locator('#thread-messages').innerText())
      .toContain('In an alert’s thread I understand `ack` (acknowledge) and `resolve`'.replace(/`/g, ''));
    await expect.poll(() => page.locator('#thread-messages .msg.mine .meta b').first().innerText()).toBe('you');
    await page.click('#close-thread');
    if (shots) await page.screenshot({ path: path.join(ROOT, 'docs/screenshot-merchant.png') });
    await page.click('button.workspace[data-team="T0LOCAL"]');
    await expect.poll(() => page.locator('#channel-name').innerText()).toBe('# campaign-stats');
    await expect
      .poll(total)
      .toContain(`Total Segments: ${fmt(all.totals.segments)} · ${fmt(all.totals.messages)} messages`);
  });

  it('draws emoji with its own colour emoji font, on a machine that has none', async () => {
    // headless Chromium here has no emoji font: without one of the page's own, emoji were boxes
    const faces = await page.evaluate(async () => {
      const d = (globalThis as any).document;
      const loaded = await d.fonts.load('16px "Noto Color Emoji"', '\u2705\u{1F6A8}');
      return loaded.map((f: any) => [f.family.replace(/"/g, ''), f.status]);
    });
    expect(faces.length).toBeGreaterThanOrEqual(1);
    expect(faces.every(([family, status]: string[]) => family === 'Noto Color Emoji' && status === 'loaded')).toBe(
      true,
    );
    const bodyFont = await page.evaluate(
      () => (globalThis as any).getComputedStyle((globalThis as any).document.body).fontFamily as string,
    );
    expect(bodyFont).toContain('Noto Color Emoji');
  });

  it('stays usable at 400 px and logs no console error', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      const box = (await page.locator('#command').boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(400);
      // the message box is on screen without scrolling, under a sidebar that leaves room for the channel
      expect(box.y + box.height).toBeLessThanOrEqual(800);
      expect((await page.locator('aside').boundingBox())!.height).toBeLessThanOrEqual(800 * 0.34);
      expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        400,
      );
      await page.fill('#command', '/campaign-stats help');
      await page.press('#command', 'Enter');
      await lastTopLevel(page).locator('.block.header', { hasText: 'where did my segments go' }).waitFor();
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
    expect(consoleErrors).toEqual([]);
  });

  it('is closed to other machines and to cross-site posts', async () => {
    const form = await fetch(`${base}/local/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=%2Fcampaign-stats%2030d',
    });
    expect(form.status).toBe(415);
    const cross = await fetch(`${base}/local/run/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: '{}',
    });
    expect([cross.status, ((await cross.json()) as { error: string }).error]).toEqual([
      403,
      'cross-site request from https://evil.example refused',
    ]);
    // it listens on the loopback interface only: read from the listening socket, never by
    // sending anything to this machine's other addresses
    const listening = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[3]);
    expect(listening).toEqual([`127.0.0.1:${port}`]);
  });

  it('keeps its data across a restart and posts no duplicate digest', async () => {
    const state = async (): Promise<any> => (await fetch(`${base}/local/state`)).json();
    const scheduledDigests = async () =>
      (await state()).messages.filter((m: any) => /^Daily digest/.test(m.text)).length;
    const before = await scheduledDigests();
    const messages = (await state()).messages.length;
    await stopServer(server);
    server = await startServer();
    await new Promise((r) => setTimeout(r, 1500)); // the scheduler's catch-up tick runs at start
    expect(await scheduledDigests()).toBe(before);
    expect((await state()).messages.length).toBe(messages);
    await page.reload();
    await expect.poll(() => page.locator('#messages > .msg', { hasText: 'Carrier-blocked spike' }).count()).toBe(1);
  });

  it('shows the Home tab: the open alert with its buttons, the channel, and a Resolve that works from there', async () => {
    await page.goto(base);
    await page.click('#open-home');
    const home = page.locator('#home');
    await expect.poll(() => home.innerText()).toContain('Open alerts (1)');
    const text = await home.innerText();
    expect(text).toContain('This workspace sees every account.');
    expect(text).toContain('Carrier-blocked spike — T-Mobile · SMS');
    expect(text).toContain('Acknowledged by @you');
    expect(text).toMatch(/Channels \(1\)\n#campaign-stats · digest 09:00 UTC · alerts on · every account/);
    if (shots) await page.screenshot({ path: path.join(ROOT, 'docs/screenshot-home.png') });
    await home.locator('button[data-action-id="alert_resolve"]').click();
    await expect.poll(() => home.innerText()).toContain('Open alerts (0)');
    // back in the channel, the alert says who resolved it, and its thread what it cost
    await page.locator('#workspaces button').first().click();
    const alert = page.locator('#messages > .msg', { hasText: 'Carrier-blocked spike — T-Mobile · SMS' });
    await expect.poll(() => alert.locator('.block.context').first().innerText()).toContain('Resolved by @you');
    await alert.locator('.replies').click();
    await expect.poll(() => page.locator('#thread-messages').innerText()).toContain('Incident summary');
  });

  it('posts the weekly report with its CSV files in the thread, once', async () => {
    if (await page.locator('#thread').isVisible()) await page.click('#close-thread');
    await page.click('#run-report');
    await expect
      .poll(() => page.locator('#run-result').innerText())
      .toMatch(/^Posted the weekly report for the week of [A-Z][a-z]{2} \d+, its CSV files in the thread\.$/);
    const report = page.locator('#messages > .msg', { hasText: 'Weekly report · Week of' });
    await report.waitFor();
    expect(await report.locator('.section').first().innerText()).toMatch(
      /^\d[\d,]* segments · [\d,]+ messages \([\d,]+ segments the week before\)\nDelivery rate \d+\.\d%/,
    );
    await report.locator('.replies').click();
    const link = page.locator('#thread-messages .block.file a').first();
    await link.waitFor();
    expect(await link.innerText()).toMatch(/^📄 campaign-stats-weekly-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
    const csv = await (await fetch(base + (await link.getAttribute('href'))!)).text();
    expect(csv.split('\n')[0]).toBe('date,account_id,campaign_id,campaign_name,carrier,type,status,segments,messages');
    await page.click('#close-thread');
    await page.click('#run-report');
    await expect
      .poll(() => page.locator('#run-result').innerText())
      .toMatch(/^The weekly report for the week of [A-Z][a-z]{2} \d+ is already in the channel \(scroll up\)\.$/);
    expect(await page.locator('#messages > .msg', { hasText: 'Weekly report · Week of' }).count()).toBe(1);
  });

  it('drills down in place: a carrier, the numbers behind a reason, masked, then Back twice', async () => {
    if (await page.locator('#thread').isVisible()) await page.click('#close-thread');
    await page.fill('#command', '/campaign-stats 30d sms');
    await page.press('#command', 'Enter');
    const answer = lastTopLevel(page);
    await answer.locator('.block.header', { hasText: 'Campaign stats · Last 30 days' }).waitFor();
    expect(await answer.innerText()).not.toContain('carrier T-Mobile');
    await answer.locator('select[data-action-id="stats_drill_carrier"]').selectOption({ label: 'T-Mobile' });
    await answer.getByText('SMS · carrier T-Mobile').waitFor();
    expect(await answer.locator('select[data-action-id="stats_drill_carrier"]').count()).toBe(0);
    const reason = answer.locator('select[data-action-id="stats_drill_reason"]');
    await reason.selectOption({ label: 'Carrier-blocked (filtered as spam)' });
    await answer
      .locator('.block.header', { hasText: 'Numbers that failed: Carrier-blocked (filtered as spam)' })
      .waitFor();
    const list = await answer.locator('.section').first().innerText();
    // every line a number of that reason's codes (30007 filtered, 30004 blocked), masked
    const codes = reasonMatch('carrier_filtered').codes.join('|');
    for (const line of list.split('\n'))
      expect(line).toMatch(new RegExp(`^• •••\\d{4} · .+ · Undelivered \\((${codes})\\) · \\w{3} \\d+ \\d\\d:\\d\\d$`));
    expect(list).not.toMatch(/\+1\d{10}/);
    await answer.locator('button[data-action-id="stats_back"]').click();
    await answer.getByText('SMS · carrier T-Mobile').waitFor();
    expect(await answer.locator('select[data-action-id="stats_drill_reason"]').count()).toBe(1);
    await answer.locator('button[data-action-id="stats_back"]').click();
    await answer.locator('select[data-action-id="stats_drill_carrier"]').waitFor();
    expect(await answer.innerText()).not.toContain('carrier T-Mobile');
  });

  it('exports an answer as CSV to your direct messages, and shows them with their download links', async () => {
    if (await page.locator('#thread').isVisible()) await page.click('#close-thread');
    await page.fill('#command', '/campaign-stats 7d sms');
    await page.press('#command', 'Enter');
    const answer = lastTopLevel(page);
    await answer.locator('.block.header', { hasText: 'Campaign stats · Last 7 days' }).waitFor();
    await answer.locator('button[data-action-id="stats_export"]').click();
    await page.getByText('Sent you the export of 7d sms in a direct message').waitFor();
    await page.click('#open-direct');
    await page.locator('#channel-name', { hasText: 'Direct messages from campaign-stats' }).waitFor();
    const links = page.locator('#messages .block.file a');
    await links.nth(1).waitFor();
    const names = await links.allInnerTexts();
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(/^📄 campaign-stats-\S+\.csv$/);
    const csv = await (await fetch(base + (await links.nth(0).getAttribute('href'))!)).text();
    const reasons = await (await fetch(base + (await links.nth(1).getAttribute('href'))!)).text();
    const heads = [csv.split('\n')[0], reasons.split('\n')[0]];
    expect(heads).toContain('date,account_id,campaign_id,campaign_name,carrier,type,status,segments,messages');
    // every row of the main file is an SMS row of the last 7 days, never a phone number
    expect(csv).not.toMatch(/\+1\d{10}/);
    expect(reasons).not.toMatch(/\+1\d{10}/);
    expect(await page.locator('#composer').isVisible()).toBe(false);
    // back to the channel
    await page.locator('#workspaces button.workspace.active').click();
    await page.locator('#composer').waitFor();
  });
});
