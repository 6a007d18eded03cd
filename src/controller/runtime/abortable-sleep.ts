/**
 * Waiting that a stop cuts short: the informers' reconnect backoff and the leader elector's
 * retry period both sleep this way, on injectable timers.
 */
import type { Timers } from "./work-queue.js";

/** Resolves after `ms` on `timers`, or at once when `signal` is (or becomes) aborted. Never rejects. */
export function sleepUnlessAborted(timers: Timers, signal: AbortSignal, ms: number): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const handle = timers.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      resolve();
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
