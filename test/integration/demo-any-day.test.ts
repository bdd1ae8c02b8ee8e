import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/demo-data';
import { buildDigest, latestDigestDate } from '../../src/digests/digest.service';
import { digestDayName, digestMessages } from '../../src/digests/digest.blocks';
import { defaultSettings } from '../../src/settings/channel-settings.repository';
import { loadConfig } from '../../src/config';
import { createTestDatabase, ENGINES, truncateAll, type TestDatabase } from '../helpers/databases';
import { platformScope } from '../../src/domain/account-scope';

/**
 * The demo sends campaigns Monday to Friday. Whatever day the app runs, the local page's
 * digest button must show a day with campaigns: run here with the clock on a Sunday and on a
 * Monday (the days the browser test used to fail on), and on a Wednesday.
 */
describe.each(ENGINES)('the demo on any day of the week (%s)', (engine) => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
  });
  afterAll(async () => tdb?.drop());

  it.each([
    ['Sunday', '2026-11-29T10:00:00Z', '2026-11-27', 'Friday Nov 27'],
    ['Monday', '2026-11-30T10:00:00Z', '2026-11-27', 'Friday Nov 27'],
    ['Wednesday', '2026-11-25T10:00:00Z', '2026-11-24', 'Tuesday Nov 24'],
  ])('on a %s (clock %s) the digest button posts %s with figures', async (_day, nowIso, expectedDate, expectedName) => {
    await truncateAll(tdb.db);
    const now = new Date(nowIso);
    await loadDemoData(tdb.db, { seed: 42, days: 14, now, mmsSegments: 1 });
    const date = await latestDigestDate(tdb.db, 'UTC', now, platformScope('benchmarks and tests'));
    expect(date).toBe(expectedDate);
    expect(digestDayName(date)).toBe(expectedName);
    const config = loadConfig(tdb.env);
    const digest = digestMessages(
      await buildDigest(tdb.db, config, defaultSettings('C1'), date, now, platformScope('benchmarks and tests')),
      null,
    );
    expect(digest.parent.text).toMatch(
      new RegExp(
        `^Daily digest · ${expectedName}: [\\d,]+ segments, delivery rate [\\d.]+%, \\$[\\d.]+ spent on undelivered segments\\.$`,
      ),
    );
  });

  it('names yesterday when nothing was ever sent', async () => {
    await truncateAll(tdb.db);
    expect(
      await latestDigestDate(
        tdb.db,
        'America/Denver',
        new Date('2026-11-30T05:00:00Z'),
        platformScope('benchmarks and tests'),
      ),
    ).toBe('2026-11-28');
  });
});
