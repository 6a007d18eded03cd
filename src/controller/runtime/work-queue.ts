/**
 * A keyed, level-triggered work queue (the client-go workqueue shape): duplicates collapse, a key
 * is never handed to two workers at once (a key added while in flight is handed out again after
 * `done`), per-key capped exponential backoff, delayed adds, and a shutdown that lets in-flight
 * work finish. Timers and time are injected.
 */
import { backoffDelay, RECONCILE_BACKOFF } from "./retry-timing.js";
import type { BackoffPolicy } from "./retry-timing.js";

/** The longest delay a Node timer takes (2^31-1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer functions the queue uses; tests pass a manual scheduler. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers (unref'd, so a pending delay never keeps the process alive). */
export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Backoff, timers and randomness of a WorkQueue. */
export interface WorkQueueOptions {
  backoff?: BackoffPolicy;
  timers?: Timers;
  random?: () => number;
  /** Called with the number of ready keys whenever it changes (for the depth gauge). */
  onDepth?: (depth: number) => void;
}

interface Delayed {
  at: number;
  handle: unknown;
}

/** A keyed work queue. */
export class WorkQueue {
  readonly #queue: string[] = [];
  /** Keys waiting to be processed (queued, or re-added while in flight). */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #delayed = new Map<string, Delayed>();
  readonly #failures = new Map<string, number>();
  readonly #waiters: Array<(key: string | undefined) => void> = [];
  readonly #idle: Array<() => void> = [];
  readonly #backoff: BackoffPolicy;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #onDepth: (depth: number) => void;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#backoff = options.backoff ?? RECONCILE_BACKOFF;
    this.#timers = options.timers ?? realTimers;
    this.#random = options.random ?? Math.random;
    this.#onDepth = options.onDepth ?? (() => undefined);
  }

  /** Adds `key` now; a no-op when it is already waiting or the queue is shutting down. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      waiter(key);
    } else {
      this.#queue.push(key);
      this.#onDepth(this.#queue.length);
    }
  }

  /** Adds `key` after `ms`; an earlier pending delayed add of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.#timers.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.#timers.clearTimeout(existing.handle);
    // Node fires a timer longer than 2^31-1 ms at once (TimeoutOverflowWarning): a renewal months
    // away would come back every millisecond. Wait the longest timer allowed, then the rest.
    const chained = ms > MAX_TIMER_MS;
    const handle = this.#timers.setTimeout(() => {
      this.#delayed.delete(key);
      if (chained) this.addAfter(key, at - this.#timers.now());
      else this.add(key);
    }, chained ? MAX_TIMER_MS : ms);
    this.#delayed.set(key, { at, handle });
  }

  /** Counts a failure of `key` and adds it after its backoff delay; returns that delay. */
  addRateLimited(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = backoffDelay(this.#backoff, failures, this.#random);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the failure count of `key` (after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Failures counted for `key` since its last success. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /**
   * Retries `key` now, as if it had never failed: its failure count is cleared and a pending
   * delayed add is replaced by an immediate one (e.g. every ExternalSecret of a store whose Vault
   * just came back, instead of each waiting out its backoff).
   */
  retryNow(key: string): void {
    this.forget(key);
    this.cancelDelayed(key);
    this.add(key);
  }

  /** Cancels a pending delayed add of `key`. */
  cancelDelayed(key: string): void {
    const existing = this.#delayed.get(key);
    if (existing) {
      this.#timers.clearTimeout(existing.handle);
      this.#delayed.delete(key);
    }
  }

  /** Waits for the next key; `undefined` once the queue shuts down. Call `done(key)` after. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      this.#onDepth(this.#queue.length);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` finished; if it was re-added meanwhile it becomes available again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      if (!this.#shuttingDown) this.add(key);
    }
    if (this.#processing.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Keys ready to be handed out. */
  get length(): number {
    return this.#queue.length;
  }

  /** Keys currently being processed. */
  get inFlight(): number {
    return this.#processing.size;
  }

  /** Keys waiting on a delay (backoff or requeue-after). */
  get delayedCount(): number {
    return this.#delayed.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Stops handing out keys: waiting `get()` calls resolve `undefined`; timers are cancelled. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const d of this.#delayed.values()) this.#timers.clearTimeout(d.handle);
    this.#delayed.clear();
    this.#queue.length = 0;
    this.#onDepth(0);
    this.#dirty.clear();
    for (const resolve of this.#waiters.splice(0)) resolve(undefined);
  }

  /** Resolves when no key is in flight. */
  drained(): Promise<void> {
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
