/**
 * When an ExternalSecret refreshes. Refreshes are aligned to windows of the refresh interval
 * (window k covers [k·interval, (k+1)·interval)), and each ExternalSecret lands at a jittered
 * point near the start of its next window. Every ExternalSecret reading a path thus reads it once
 * per window, and the coalescer turns those reads into one Vault read per window.
 */

/** The index of the refresh window holding `nowMs` for `intervalMs`. */
export function refreshWindow(nowMs: number, intervalMs: number): number {
  return intervalMs > 0 ? Math.floor(nowMs / intervalMs) : 0;
}

/** The spread of refreshes inside a window: a tenth of it, at most 30 s. */
export function jitterSpanMs(intervalMs: number): number {
  return Math.min(intervalMs / 10, 30_000);
}

/**
 * Milliseconds from `nowMs` until the next refresh: the start of the next window plus a jitter
 * drawn with `random` (a function returning [0, 1), injected for tests).
 * @returns null when `intervalMs` is 0 (refresh once, never again).
 */
export function nextRefreshDelayMs(nowMs: number, intervalMs: number, random: () => number): number | null {
  if (intervalMs <= 0) return null;
  const nextWindowStart = (refreshWindow(nowMs, intervalMs) + 1) * intervalMs;
  return Math.max(1, Math.round(nextWindowStart - nowMs + random() * jitterSpanMs(intervalMs)));
}

/**
 * Whether a refresh is due: never synced, spec or metadata changed since (force-sync), or the
 * window of the last fetch has passed. `lastFetchMs` is what this controller process fetched.
 */
export function refreshDue(args: {
  nowMs: number;
  intervalMs: number;
  lastFetchMs: number | undefined;
  metadataChanged: boolean;
}): boolean {
  if (args.lastFetchMs === undefined || args.metadataChanged) return true;
  if (args.intervalMs <= 0) return false;
  return refreshWindow(args.nowMs, args.intervalMs) > refreshWindow(args.lastFetchMs, args.intervalMs);
}
