/**
 * Retry timing as pure functions: capped exponential backoff with optional jitter. The random
 * source is injected so tests get exact numbers.
 */

/** Capped exponential backoff parameters. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** Largest delay ever returned. */
  capMs: number;
  /** Growth per failure; default 2. */
  factor?: number;
  /** Fraction of the delay randomised, 0..1: delay × (1 - jitter × random). Default 0. */
  jitter?: number;
}

/** Per-key reconcile backoff: 1 s doubling to 5 min. */
export const RECONCILE_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 300_000, factor: 2, jitter: 0 };

/** Watch reconnect backoff: 200 ms doubling to 30 s, with jitter so informers do not stampede. */
export const WATCH_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 30_000, factor: 2, jitter: 0.5 };

/**
 * The delay before retry number `failures` (1 = after the first failure).
 * @param random a number in [0, 1); only used when the policy has jitter.
 */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const factor = policy.factor ?? 2;
  // Cap the exponent so large failure counts cannot overflow to Infinity.
  const exponent = Math.min(failures - 1, 64);
  const raw = Math.min(policy.capMs, policy.baseMs * factor ** exponent);
  const jitter = policy.jitter ?? 0;
  if (jitter <= 0) return raw;
  return Math.max(0, Math.round(raw * (1 - jitter * random())));
}
