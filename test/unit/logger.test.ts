import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';

describe('logs', () => {
  it('never carry a whole phone number: messages, fields, errors and SQL keep the last four digits', () => {
    const lines: string[] = [];
    const log = createLogger('debug', { write: (s: string) => lines.push(s) });
    log.info(
      { to: '+13035550123', sql: "insert into subscribers (phone) values ('+17205551001')" },
      'sent to +13035550199',
    );
    log.error({ err: new Error("Duplicate entry 'acct_1-+13035550123' for key 'phone'") }, 'failed');
    log.warn('number 13035550123 refused');
    const all = lines.join('\n');
    expect(all).not.toMatch(/\d{10,}/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: 'sent to •••0199',
      to: '•••0123',
      sql: "insert into subscribers (phone) values ('•••1001')",
    });
    expect(JSON.parse(lines[1]!).err.message).toBe("Duplicate entry 'acct_1-•••0123' for key 'phone'");
    expect(JSON.parse(lines[2]!).msg).toBe('number •••0123 refused');
  });
});
