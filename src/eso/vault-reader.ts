/**
 * Performs an ExternalSecret's Vault reads through the shared limits: coalesced per store
 * connection + path + version and refresh window, at most `concurrency` requests in flight, and
 * a per-store backoff that fails reads fast while a store's Vault is sealed, down or rate limiting.
 */
import type { Clock } from "../clock.js";
import { VaultError, VaultFailure } from "../vault/errors.js";
import type { KvData } from "../vault/client.js";
import { ReadCoalescer } from "./coalescer.js";
import { Semaphore, StoreBackoff } from "./concurrency.js";
import { type ReadResult, readId, type VaultRead } from "./source-data.js";
import type { StoreRecovery } from "./store-recovery.js";
import type { StoreConnection } from "./store-connections.js";

/** Told about every Vault request (ESO's `externalsecret_provider_api_calls_count`). */
export type ApiCallObserver = (call: "ReadSecretData", status: "success" | "error") => void;

/** Counters for metrics and the benchmark. */
export interface ReaderStats {
  vaultReads: number;
}

/** The shared Vault read path of the ESO reconcilers (one per controller). */
export class VaultReader {
  readonly coalescer: ReadCoalescer<KvData | null>;
  readonly backoff: StoreBackoff;
  readonly #semaphore: Semaphore;
  readonly stats: ReaderStats = { vaultReads: 0 };
  readonly #lastStoreError = new Map<string, { failure: VaultFailure; status: number | undefined; detail: string | undefined }>();
  readonly #onApiCall: ApiCallObserver;
  readonly #recovery: StoreRecovery | undefined;

  /**
   * @param opts.recovery probes stores in outage and, when one is back, clears its backoff here
   * (its listeners then retry the ExternalSecrets waiting on it).
   */
  constructor(
    clock: Clock,
    opts: { concurrency?: number; backoffBaseMs?: number; backoffMaxMs?: number; onApiCall?: ApiCallObserver; recovery?: StoreRecovery } = {},
  ) {
    this.#onApiCall = opts.onApiCall ?? (() => undefined);
    this.#recovery = opts.recovery;
    this.#recovery?.onRecovered((store) => {
      this.backoff.success(store);
      this.#lastStoreError.delete(store);
    });
    this.coalescer = new ReadCoalescer(clock);
    this.backoff = new StoreBackoff(clock, opts.backoffBaseMs ?? 1_000, opts.backoffMaxMs ?? 300_000);
    this.#semaphore = new Semaphore(opts.concurrency ?? 16);
  }

  /**
   * Reads every `reads` entry; never throws: each result is data, null (missing) or an error.
   * While the store backs off, reads fail at once with the last store-level failure kind.
   */
  async readAll(conn: StoreConnection, reads: readonly VaultRead[], windowMs: number, fresh: boolean): Promise<Map<string, ReadResult>> {
    const out = new Map<string, ReadResult>();
    await Promise.all(
      reads.map(async (read) => {
        out.set(readId(read), await this.#readOne(conn, read, windowMs, fresh));
      }),
    );
    return out;
  }

  /** Milliseconds until `conn`'s store may be tried again (0 = now). */
  backoffRemainingMs(conn: StoreConnection): number {
    return this.backoff.remainingMs(conn.storeName);
  }

  async #readOne(conn: StoreConnection, read: VaultRead, windowMs: number, fresh: boolean): Promise<ReadResult> {
    if (this.backoff.remainingMs(conn.storeName) > 0) {
      // Fail fast with the failure that started the backoff: the same message every time, so the
      // status is not rewritten on each retry and still says why (sealed, 429, unreachable…).
      const last = this.#lastStoreError.get(conn.storeName);
      return { error: new VaultError(last?.failure ?? VaultFailure.Unavailable, conn.storeName, read.path, last?.status, last?.status === undefined ? { detail: last?.detail ?? "backing off" } : {}) };
    }
    try {
      const data = await this.coalescer.get(
        `${conn.key}|${readId(read)}`,
        windowMs,
        () =>
          this.#semaphore.run(async () => {
            this.stats.vaultReads++;
            try {
              const value = await conn.session.withToken((token) => conn.http.readKv(read.path, conn.kv.version, read.version, token));
              this.#onApiCall("ReadSecretData", "success");
              this.backoff.success(conn.storeName);
              this.#recovery?.healthy(conn.storeName);
              return value;
            } catch (err) {
              this.#onApiCall("ReadSecretData", "error");
              // Counted once per Vault request, not once per ExternalSecret sharing it.
              if (err instanceof VaultError && err.storeLevel) {
                this.backoff.failure(conn.storeName, err.retryAfterMs);
                this.#lastStoreError.set(conn.storeName, { failure: err.failure, status: err.status, detail: err.detail });
                this.#recovery?.outage(conn.storeName, () => conn.http.healthy());
              }
              throw err;
            }
          }),
        { fresh },
      );
      return { data };
    } catch (err) {
      return { error: err instanceof Error ? err : new Error(String(err)) };
    }
  }
}
