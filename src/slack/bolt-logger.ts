import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../logger';

/** Bolt's logger interface over our structured JSON logger. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => log.debug({ source: 'bolt' }, msg.map(String).join(' ')),
    info: (...msg: unknown[]) => log.info({ source: 'bolt' }, msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => log.warn({ source: 'bolt' }, msg.map(String).join(' ')),
    error: (...msg: unknown[]) => log.error({ source: 'bolt' }, msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
