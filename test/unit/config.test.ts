import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  it('runs with nothing configured: embedded database, local mode, documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      databaseUrl: undefined,
      port: 3000,
      defaultTimezone: 'UTC',
      chartRenderer: 'quickchart',
      quickchartUrl: 'https://quickchart.io',
      logLevel: 'info',
      alertsCron: '*/5 * * * *',
      autoUnsubscribeCron: '0 * * * *',
      autoUnsubscribeAfter: 7,
      segmentPrice: 0.03,
      mmsSegments: 1,
      publicBaseUrl: 'http://localhost:3000',
    });
    expect(c.sqliteFile).toMatch(/data\/campaign-stats\.sqlite$/);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DEFAULT_TIMEZONE: 'Mars/Olympus',
        DATABASE_URL: 'postgres://x/y',
        ALERTS_CRON: 'often',
        SEGMENT_PRICE: '-1',
        LOG_LEVEL: 'loud',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual([
      'ALERTS_CRON',
      'DATABASE_URL',
      'DEFAULT_TIMEZONE',
      'LOG_LEVEL',
      'PORT',
      'SEGMENT_PRICE',
    ]);
  });

  it('treats empty variables as unset and refuses half a Slack setup', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/);
  });
});
