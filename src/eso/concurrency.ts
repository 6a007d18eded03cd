/**
 * Limits on talking to Vault: a semaphore bounding concurrent requests, and a per-store backoff
 * that stops hammering a Vault that is down, sealed or rate limiting (doubling delays, capped).
 */
import type { Clock } from "../clock.js";

/** A counting semaphore; `run` waits for a slot. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("Semaphore limit must be a positive integer");
  }

  /** Runs `task` when a slot is free; the slot is released however it ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Tasks running now. */
  get inUse(): number {
    return this.active;
  }
}

interface BackoffState {
  failures: number;
  untilMs: number;
}

/** Per-store backoff: after a store-level failure the store is skipped until its delay passes. */
export class StoreBackoff {
  private readonly states = new Map<string, BackoffState>();

  constructor(
    private readonly clock: Clock,
    private readonly baseMs = 1_000,
    private readonly maxMs = 300_000,
  ) {}

  /** Milliseconds left before `store` may be tried again; 0 when it may be tried now. */
  remainingMs(store: string): number {
    const s = this.states.get(store);
    if (!s) return 0;
    return Math.max(0, s.untilMs - this.clock.now().getTime());
  }

  /** Records a store-level failure; returns the delay now in force. `retryAfterMs` (from 429) wins when longer. */
  failure(store: string, retryAfterMs?: number): number {
    const s = this.states.get(store) ?? { failures: 0, untilMs: 0 };
    s.failures++;
    const delay = Math.max(Math.min(this.maxMs, this.baseMs * 2 ** (s.failures - 1)), retryAfterMs ?? 0);
    s.untilMs = this.clock.now().getTime() + delay;
    this.states.set(store, s);
    return delay;
  }

  /** Records a success: the store is healthy again. */
  success(store: string): void {
    this.states.delete(store);
  }

  /** Consecutive failures recorded for `store`. */
  failures(store: string): number {
    return this.states.get(store)?.failures ?? 0;
  }
}
