/**
 * Coalesces Vault reads: concurrent reads of the same key share one request (in-flight dedupe),
 * and a successful result is reused by later reads in the same refresh window. Failures are
 * shared by the readers already waiting but never cached.
 */
import type { Clock } from "../clock.js";
import { refreshWindow } from "./refresh-schedule.js";

interface Entry<T> {
  value: T;
  fetchedAtMs: number;
}

/** Counters for metrics and the benchmark. */
export interface CoalescerStats {
  fetches: number;
  hits: number;
  joined: number;
}

/** One coalescer per controller; keys are `<store>|<path>[?version=N]`. */
export class ReadCoalescer<T> {
  private readonly cache = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, Promise<T>>();
  readonly stats: CoalescerStats = { fetches: 0, hits: 0, joined: 0 };

  constructor(private readonly clock: Clock) {}

  /**
   * Returns the value for `key`, fetching it at most once per `windowMs` window. `fresh` skips
   * the cache (force-sync) but still joins a read already in flight and refreshes the cache.
   * @throws whatever `fetch` throws.
   */
  async get(key: string, windowMs: number, fetch: () => Promise<T>, opts: { fresh?: boolean } = {}): Promise<T> {
    const now = this.clock.now().getTime();
    if (!opts.fresh) {
      const hit = this.cache.get(key);
      if (hit && windowMs > 0 && refreshWindow(hit.fetchedAtMs, windowMs) === refreshWindow(now, windowMs)) {
        this.stats.hits++;
        return hit.value;
      }
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.stats.joined++;
      return pending;
    }
    this.stats.fetches++;
    const promise = (async () => {
      try {
        const value = await fetch();
        this.cache.set(key, { value, fetchedAtMs: this.clock.now().getTime() });
        return value;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, promise);
    return promise;
  }
}
