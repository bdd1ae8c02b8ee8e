import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_PARAMS, isBelowResolveLine, shouldFire, threshold } from '../../../src/domain/alert-rule';

const p = DEFAULT_ALERT_PARAMS.undelivered;

describe('spike alert rule', () => {
  it.each([
    ['a carrier-filtering spike', { volume: 1000, failures: 300, baseline: 0.02 }, true],
    ['below the minimum volume', { volume: 199, failures: 150, baseline: 0.02 }, false],
    ['under the absolute floor', { volume: 5000, failures: 200, baseline: 0.005 }, false], // 4% vs floor 5%
    ['a scope that always runs high, not above twice its usual', { volume: 5000, failures: 700, baseline: 0.1 }, false], // 14% < 20%
    ['the same scope at twice its usual', { volume: 5000, failures: 1000, baseline: 0.1 }, true],
    ['no history: the floor alone', { volume: 400, failures: 20, baseline: null }, true],
  ])('%s', (_name, obs, fires) => {
    expect(shouldFire(obs, p)).toBe(fires);
  });

  it('resolves only well under the line (hysteresis)', () => {
    const line = threshold({ baseline: 0.02 }, p); // max(5%, 4%) = 5%
    expect(line).toBe(0.05);
    expect(isBelowResolveLine({ volume: 1000, failures: 45, baseline: 0.02 }, line, p)).toBe(false); // 4.5% ≥ 4%
    expect(isBelowResolveLine({ volume: 1000, failures: 39, baseline: 0.02 }, line, p)).toBe(true);
    expect(isBelowResolveLine({ volume: 0, failures: 0, baseline: 0.02 }, line, p)).toBe(true);
  });
});
