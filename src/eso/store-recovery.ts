/**
 * Back to whole within seconds: while a store's Vault is in a store-level outage (sealed, down,
 * rate limiting) the per-store backoff keeps ExternalSecrets from hammering it, but it also means
 * that after Vault comes back each ExternalSecret waits out its own backoff (up to 5 minutes).
 * This watches every store in outage with one cheap health probe per store per interval
 * (`GET sys/health`, unauthenticated); the moment a probe finds Vault initialised and unsealed —
 * or a read succeeds, or the VaultUnsealer reports an unseal ({@link StoreRecovery.nudge}) — the
 * store's backoff is cleared and the listeners are told, so every ExternalSecret waiting on that
 * store is retried at once.
 */

/** Timers the probing uses (the work queue's Timers shape); tests pass manual ones. */
export interface RecoveryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Answers whether a store's Vault is usable again (never throws: a failure is `false`). */
export type StoreProbe = () => Promise<boolean>;

interface Outage {
  probe: StoreProbe;
  timer: unknown;
  probing: boolean;
}

/** One per controller, shared by the Vault reader and the ESO reconcilers. */
export class StoreRecovery {
  readonly #outages = new Map<string, Outage>();
  readonly #listeners: Array<(store: string) => void> = [];
  readonly #timers: RecoveryTimers;
  readonly #intervalMs: number;
  #stopped = false;

  constructor(opts: { timers: RecoveryTimers; intervalMs?: number }) {
    this.#timers = opts.timers;
    this.#intervalMs = opts.intervalMs ?? 1_000;
  }

  /** Calls `listener(storeName)` whenever a store comes back from an outage. */
  onRecovered(listener: (store: string) => void): void {
    this.#listeners.push(listener);
  }

  /** Stores currently in outage. */
  get outages(): string[] {
    return [...this.#outages.keys()];
  }

  /** Records a store-level failure: starts probing `store` (a no-op when it already is). */
  outage(store: string, probe: StoreProbe): void {
    if (this.#stopped) return;
    const existing = this.#outages.get(store);
    if (existing) {
      existing.probe = probe;
      return;
    }
    const o: Outage = { probe, timer: undefined, probing: false };
    this.#outages.set(store, o);
    this.#schedule(store, o);
  }

  /** A read from `store` succeeded: if it was in outage, it has recovered. */
  healthy(store: string): void {
    const o = this.#outages.get(store);
    if (o === undefined) return;
    this.#recovered(store, o);
  }

  /** Something says Vault may be back (a VaultUnsealer unsealed a node): probe every store in outage now. */
  nudge(): void {
    for (const [store, o] of this.#outages) {
      this.#timers.clearTimeout(o.timer);
      void this.#probe(store, o);
    }
  }

  /** Stops every probe. */
  stop(): void {
    this.#stopped = true;
    for (const o of this.#outages.values()) this.#timers.clearTimeout(o.timer);
    this.#outages.clear();
  }

  #schedule(store: string, o: Outage): void {
    if (this.#stopped) return;
    o.timer = this.#timers.setTimeout(() => void this.#probe(store, o), this.#intervalMs);
  }

  async #probe(store: string, o: Outage): Promise<void> {
    if (o.probing || this.#outages.get(store) !== o) return;
    o.probing = true;
    let up = false;
    try {
      up = await o.probe();
    } catch {
      up = false;
    } finally {
      o.probing = false;
    }
    if (this.#outages.get(store) !== o) return;
    if (up) this.#recovered(store, o);
    else this.#schedule(store, o);
  }

  #recovered(store: string, o: Outage): void {
    this.#timers.clearTimeout(o.timer);
    this.#outages.delete(store);
    for (const l of this.#listeners) l(store);
  }
}
