/**
 * When a rate spike is worth waking someone (issue 4). A scope (overall, carrier × type,
 * account) alerts only when, over the recent window,
 *   - enough messages settled to mean something (minVolume),
 *   - the rate is above an absolute floor (a 0.4 % → 1.2 % jump is noise, not an incident),
 *   - and above `multiple` × the scope's own trailing baseline (a carrier that always runs at
 *     6 % unreachable is not an incident at 7 %).
 * It resolves only after the rate has stayed under `resolveRatio` × the firing threshold for
 * `resolveAfterMinutes` (hysteresis: a rate hovering at the line does not flap).
 */
export interface AlertParams {
  windowMinutes: number;
  baselineDays: number;
  minVolume: number;
  floor: number;
  multiple: number;
  resolveRatio: number;
  resolveAfterMinutes: number;
  /** a thread update is posted when the rate passes the last reported peak by this factor */
  worsenFactor: number;
}

/** The kinds of spike alert, in the order they are evaluated: one list, every other place derives from it. */
export const SPIKE_KINDS = ['undelivered', 'unreachable', 'sender_problem'] as const;
export type SpikeKind = (typeof SPIKE_KINDS)[number];

/**
 * sender_problem: failures attributed to the sender (registration, limits, the account) among
 * the messages sent in the window — no baseline multiple: any such failure rate over the floor
 * is actionable, and 100 messages make it more than a stray one.
 */
export const DEFAULT_ALERT_PARAMS: Readonly<Record<SpikeKind, AlertParams>> = {
  undelivered: {
    windowMinutes: 120,
    baselineDays: 7,
    minVolume: 200,
    floor: 0.05,
    multiple: 2,
    resolveRatio: 0.8,
    resolveAfterMinutes: 60,
    worsenFactor: 1.25,
  },
  unreachable: {
    windowMinutes: 120,
    baselineDays: 7,
    minVolume: 200,
    floor: 0.05,
    multiple: 2,
    resolveRatio: 0.8,
    resolveAfterMinutes: 60,
    worsenFactor: 1.25,
  },
  sender_problem: {
    windowMinutes: 120,
    baselineDays: 7,
    minVolume: 100,
    floor: 0.03,
    multiple: 0,
    resolveRatio: 0.8,
    resolveAfterMinutes: 60,
    worsenFactor: 1.25,
  },
};

export interface Observation {
  /** settled messages in the window */
  volume: number;
  /** failures of the alert's kind in the window */
  failures: number;
  /** the same scope's rate over the baseline period (null: no history) */
  baseline: number | null;
}

export function threshold(obs: Pick<Observation, 'baseline'>, p: Pick<AlertParams, 'floor' | 'multiple'>): number {
  return Math.max(p.floor, (obs.baseline ?? 0) * p.multiple);
}

export function rateOf(obs: Observation): number | null {
  return obs.volume === 0 ? null : obs.failures / obs.volume;
}

export function shouldFire(obs: Observation, p: AlertParams): boolean {
  const rate = rateOf(obs);
  return obs.volume >= p.minVolume && rate !== null && rate >= threshold(obs, p);
}

/** Whether the rate is back under the resolve line now (the caller times how long it stays there). */
export function isBelowResolveLine(obs: Observation, firingThreshold: number, p: AlertParams): boolean {
  const rate = rateOf(obs);
  return rate === null || obs.volume < p.minVolume / 4 || rate < firingThreshold * p.resolveRatio;
}

/** A spike is "carrier-blocked" when carrier filtering is at least half of its failures. */
export function isCarrierBlocked(mix: ReadonlyArray<{ reason: string; messages: number }>): boolean {
  const total = mix.reduce((n, r) => n + r.messages, 0);
  const filtered = mix.filter((r) => r.reason === 'carrier_filtered').reduce((n, r) => n + r.messages, 0);
  return total > 0 && filtered * 2 >= total;
}
