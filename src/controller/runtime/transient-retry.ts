/**
 * Retrying a start-up step while the API server is briefly unavailable: Kubernetes API failures
 * worth retrying (no answer, 408, 409, 429, 5xx) are retried with capped exponential backoff,
 * never sooner than the server's Retry-After; anything else (403 RBAC, a bad object, a bug) is
 * thrown at once, so real misconfiguration still fails fast.
 */
import { isRetryable, kubeApiErrorIn } from "../../kube/errors.js";
import { sleepUnlessAborted } from "./abortable-sleep.js";
import { backoffDelay } from "./retry-timing.js";
import type { BackoffPolicy } from "./retry-timing.js";
import type { Timers } from "./work-queue.js";

/** Start-up retry backoff: 500 ms doubling to 30 s, with jitter. */
export const START_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000, factor: 2, jitter: 0.2 };

/** How a step is retried. */
export interface TransientRetryOptions {
  timers: Timers;
  /** Ends the retries: the last error is thrown. */
  signal: AbortSignal;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Told before every wait (e.g. to log it). */
  onRetry?: (err: unknown, failures: number, delayMs: number) => void;
}

/** How long to wait after `failures` failures, the last being `err` (its Retry-After wins when longer). */
export function retryDelay(err: unknown, failures: number, policy: BackoffPolicy, random: () => number): number {
  return Math.max(kubeApiErrorIn(err)?.retryAfterMs ?? 0, backoffDelay(policy, failures, random));
}

/** True when `err` is (or was caused by) a Kubernetes API failure worth retrying. */
export function isTransientApiError(err: unknown): boolean {
  const api = kubeApiErrorIn(err);
  return api !== undefined && isRetryable(api);
}

/**
 * Runs `step` until it succeeds, retrying transient Kubernetes API failures.
 * @throws the first non-transient error, or the last error once `signal` is aborted.
 */
export async function retryTransient<T>(step: () => Promise<T>, options: TransientRetryOptions): Promise<T> {
  const policy = options.backoff ?? START_BACKOFF;
  const random = options.random ?? Math.random;
  for (let failures = 1; ; failures++) {
    try {
      return await step();
    } catch (err) {
      if (!isTransientApiError(err) || options.signal.aborted) throw err;
      const delay = retryDelay(err, failures, policy, random);
      options.onRetry?.(err, failures, delay);
      await sleepUnlessAborted(options.timers, options.signal, delay);
      if (options.signal.aborted) throw err;
    }
  }
}
