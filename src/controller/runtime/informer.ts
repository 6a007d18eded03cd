/**
 * A list+watch informer for one resource: paginated list, watch resumed from the last
 * resourceVersion (bookmarks included), re-list on 410 Gone, reconnect with capped exponential
 * backoff and jitter (never sooner than a Retry-After the API server sent). Keeps an ObjectCache
 * and tells handlers what changed; handlers are meant to only enqueue keys. Never throws out of
 * its loop.
 *
 * A resource the API server does not serve (a list answered 404: its CRD is not installed) is
 * reported through `onServedChange` and polled for every `absentPollMs`, so the informer syncs
 * as soon as the CRD appears; `settled()` resolves once it has synced or found the resource absent.
 */
import { kubeApiErrorIn } from "../../kube/errors.js";
import type { KubeClient, KubeObject, ResourceRef } from "../../kube/types.js";
import type { ControllerLogger, ObjectCache, ObjectKey } from "../types.js";
import { backoffDelay, WATCH_BACKOFF } from "./retry-timing.js";
import type { BackoffPolicy } from "./retry-timing.js";
import { sleepUnlessAborted } from "./abortable-sleep.js";
import { realTimers } from "./work-queue.js";
import type { Timers } from "./work-queue.js";
import { withoutManagedFields } from "../../kube/managed-fields.js";

/** What happened to an object, as an informer reports it. */
export type InformerEventType = "add" | "update" | "delete";
/** Called for every change; should only enqueue keys. */
export type InformerHandler<T extends KubeObject> = (type: InformerEventType, obj: T, old?: T) => void;

/** What an Informer watches and how. */
export interface InformerOptions {
  kube: KubeClient;
  resource: ResourceRef;
  /** Watch only this namespace; undefined = all namespaces (or cluster-scoped). */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  /** Server-side field selector, e.g. `type=kubernetes.io/tls` for Secrets. */
  fieldSelector?: string | undefined;
  /**
   * Applied to every listed or watched object before it is cached and handed to handlers (as
   * client-go's SetTransform): drop fields the consumer never reads, to save memory. The informer
   * always drops `metadata.managedFields` first (see withoutManagedFields).
   */
  transform?: ((obj: KubeObject) => KubeObject) | undefined;
  log: ControllerLogger;
  /** List page size. Default 500. */
  pageSize?: number;
  backoff?: BackoffPolicy;
  timers?: Timers;
  random?: () => number;
  /** A watch that ends cleanly sooner than this with no events counts as a failure. Default 1 s. */
  minHealthyWatchMs?: number;
  /** How often a resource the API server does not serve (CRD not installed) is looked for. Default 5 s (at most the backoff cap). */
  absentPollMs?: number;
  /** Called with the first list's verdict (served or not, i.e. 404) and on every change after. */
  onServedChange?: (served: boolean) => void;
}

/** `sealedsecrets.bitnami.com`, `secrets`: a resource as kubectl names it. */
function resourceLabel(resource: ResourceRef): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

/** The cache key of an object: `namespace/name` or `name`. */
export function objectKey(obj: KubeObject): ObjectKey {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ""}` : (name ?? "");
}

/** Counters an informer keeps, for tests and metrics. */
export interface InformerStats {
  lists: number;
  watches: number;
  relistsAfterGone: number;
  watchErrors: number;
}

/** Keeps a cache of one resource current by list+watch. */
export class Informer<T extends KubeObject = KubeObject> implements ObjectCache<T> {
  readonly #o: InformerOptions;
  readonly #cache = new Map<ObjectKey, T>();
  readonly #handlers: Array<InformerHandler<T>> = [];
  readonly #abort = new AbortController();
  readonly #timers: Timers;
  readonly #synced: Promise<void>;
  #resolveSynced!: () => void;
  #hasSynced = false;
  #absent = false;
  #servedKnown = false;
  readonly #settled: Promise<void>;
  #resolveSettled!: () => void;
  #running: Promise<void> | undefined;
  #resourceVersion = "";
  readonly stats: InformerStats = { lists: 0, watches: 0, relistsAfterGone: 0, watchErrors: 0 };

  constructor(options: InformerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    this.#synced = new Promise((resolve) => {
      this.#resolveSynced = resolve;
    });
    this.#settled = new Promise((resolve) => {
      this.#resolveSettled = resolve;
    });
  }

  /** Adds a handler called on every add/update/delete (including those found by a re-list). */
  addHandler(handler: InformerHandler<T>): void {
    this.#handlers.push(handler);
  }

  get resource(): ResourceRef {
    return this.#o.resource;
  }

  get(key: ObjectKey): T | undefined {
    return this.#cache.get(key);
  }

  list(namespace?: string): T[] {
    const all = [...this.#cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  keys(): ObjectKey[] {
    return [...this.#cache.keys()];
  }

  synced(): Promise<void> {
    return this.#synced;
  }

  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** True while the API server does not serve the resource (the last list was answered 404). */
  get absent(): boolean {
    return this.#absent;
  }

  /** Resolves once the informer has synced or found its resource not served, whichever comes first. */
  settled(): Promise<void> {
    return this.#settled;
  }

  /** Starts the list+watch loop in the background (idempotent). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops watching; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { kube, resource, namespace, labelSelector, fieldSelector, log } = this.#o;
    const signal = this.#abort.signal;
    const random = this.#o.random ?? Math.random;
    const policy = this.#o.backoff ?? WATCH_BACKOFF;
    const minHealthy = this.#o.minHealthyWatchMs ?? 1000;
    let needList = true;
    let failures = 0;
    let lastError: unknown;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#relist();
          needList = false;
        }
        const startedAt = this.#timers.now();
        let events = 0;
        this.stats.watches += 1;
        const end = await kube.watch<T>(
          resource,
          namespace,
          { resourceVersion: this.#resourceVersion, ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) },
          (event) => {
            events += 1;
            this.#apply(event.type, event.object);
          },
          signal,
        );
        if (signal.aborted) break;
        if (end.gone) {
          this.stats.relistsAfterGone += 1;
          log.info({ resource: resource.plural, resourceVersion: this.#resourceVersion }, "watch resourceVersion expired; re-listing");
          needList = true;
          failures = 0;
          continue;
        }
        if (end.error) {
          this.stats.watchErrors += 1;
          failures += 1;
          lastError = end.error;
          // A 404 on the watch: the CRD went away; the re-list finds out and reports it.
          if (kubeApiErrorIn(end.error)?.status === 404) needList = true;
          log.warn({ resource: resource.plural, err: end.error, failures }, "watch failed; reconnecting");
        } else if (events === 0 && this.#timers.now() - startedAt < minHealthy) {
          failures += 1;
        } else {
          failures = 0;
          continue;
        }
      } catch (err) {
        if (kubeApiErrorIn(err)?.status === 404) {
          this.#setServed(false);
          failures = 0;
          await this.#sleep(this.#o.absentPollMs ?? Math.min(5000, policy.capMs));
          continue;
        }
        failures += 1;
        lastError = err;
        log.warn({ resource: resource.plural, err, failures }, "list failed; retrying");
      }
      const retryAfter = kubeApiErrorIn(lastError)?.retryAfterMs ?? 0;
      lastError = undefined;
      await this.#sleep(Math.max(retryAfter, backoffDelay(policy, failures, random)));
    }
  }

  #setServed(served: boolean): void {
    if (this.#servedKnown && this.#absent === !served) return;
    const wasAbsent = this.#absent;
    this.#servedKnown = true;
    this.#absent = !served;
    // With a handler, the owner reports it (naming the kinds that wait); alone, the informer does.
    const report = !this.#o.onServedChange;
    const what = resourceLabel(this.#o.resource);
    if (!served) {
      // The objects went with their CRD.
      const gone = [...this.#cache.values()];
      this.#cache.clear();
      for (const obj of gone) this.#emit("delete", obj);
      if (report) this.#o.log.warn({ resource: what }, `${what} is not served by the API server (install its CRD); watching for it`);
      this.#resolveSettled();
    } else if (wasAbsent) {
      this.#o.log.info({ resource: what }, `${what} is served now; syncing`);
    }
    this.#o.onServedChange?.(served);
  }

  async #relist(): Promise<void> {
    const { kube, resource, namespace, labelSelector, fieldSelector } = this.#o;
    const fresh = new Map<ObjectKey, T>();
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const page = await kube.list<T>(resource, namespace, {
        limit: this.#o.pageSize ?? 500,
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
        ...(cont ? { continue: cont } : {}),
      });
      for (const item of page.items) fresh.set(objectKey(item), this.#prepare(item));
      resourceVersion = page.resourceVersion;
      cont = page.continue;
    } while (cont && !this.#abort.signal.aborted);
    this.stats.lists += 1;
    this.#setServed(true);
    const old = new Map(this.#cache);
    this.#cache.clear();
    for (const [key, obj] of fresh) this.#cache.set(key, obj);
    this.#resourceVersion = resourceVersion;
    for (const [key, obj] of fresh) {
      const previous = old.get(key);
      if (!previous) this.#emit("add", obj);
      else if (previous.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#emit("update", obj, previous);
    }
    for (const [key, obj] of old) if (!fresh.has(key)) this.#emit("delete", obj);
    if (!this.#hasSynced) {
      this.#hasSynced = true;
      this.#resolveSynced();
      this.#resolveSettled();
    }
  }

  /** What the cache keeps of a listed or watched object. */
  #prepare(raw: T): T {
    const obj = withoutManagedFields(raw);
    return this.#o.transform ? (this.#o.transform(obj) as T) : obj;
  }

  #apply(type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK", raw: T): void {
    const rv = raw.metadata?.resourceVersion;
    if (type === "BOOKMARK") {
      if (rv) this.#resourceVersion = rv;
      return;
    }
    const obj = this.#prepare(raw);
    const key = objectKey(obj);
    const previous = this.#cache.get(key);
    if (type === "DELETED") {
      this.#cache.delete(key);
      this.#emit("delete", obj);
    } else {
      this.#cache.set(key, obj);
      this.#emit(previous ? "update" : "add", obj, previous);
    }
    if (rv) this.#resourceVersion = rv;
  }

  #emit(type: InformerEventType, obj: T, old?: T): void {
    for (const handler of this.#handlers) {
      try {
        handler(type, obj, old);
      } catch (err) {
        this.#o.log.error({ err, resource: this.#o.resource.plural }, "informer handler failed");
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : sleepUnlessAborted(this.#timers, this.#abort.signal, ms);
  }
}
