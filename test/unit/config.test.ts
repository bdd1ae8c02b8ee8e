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

  it('chooses the mode from the environment; distribution refuses to start without TOKEN_ENCRYPTION_KEY', () => {
    expect(loadConfig({}).slack.mode).toBe('local');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slack.mode).toBe('single');
    const distribution = {
      SLACK_CLIENT_ID: '1.2',
      SLACK_CLIENT_SECRET: 'secret',
      SLACK_SIGNING_SECRET: 'signing',
      SLACK_STATE_SECRET: 'state-secret-0123456789',
    };
    expect(() => loadConfig(distribution)).toThrow(
      'TOKEN_ENCRYPTION_KEY: required in distribution mode (SLACK_CLIENT_ID is set), to install through OAuth and keep tokens encrypted',
    );
    expect(() => loadConfig({ ...distribution, TOKEN_ENCRYPTION_KEY: 'short' })).toThrow(
      'TOKEN_ENCRYPTION_KEY: must be at least 32 characters',
    );
    expect(loadConfig({ ...distribution, TOKEN_ENCRYPTION_KEY: 'k'.repeat(32) }).slack.mode).toBe('distribution');
    expect(() => loadConfig({ TWILIO_AUTH_TOKENS: 'AC123=x' })).toThrow('is not ACxxx=token');
  });
});
