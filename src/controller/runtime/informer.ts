/**
 * A list+watch informer for one resource: paginated list, watch resumed from the last
 * resourceVersion (bookmarks included), re-list on 410 Gone, reconnect with capped exponential
 * backoff and jitter. Keeps an ObjectCache and tells handlers what changed; handlers are meant
 * to only enqueue keys. Never throws out of its loop.
 */
import type { KubeClient, KubeObject, ResourceRef } from "../../kube/types.js";
import type { ControllerLogger, ObjectCache, ObjectKey } from "../types.js";
import { backoffDelay, WATCH_BACKOFF } from "./retry-timing.js";
import type { BackoffPolicy } from "./retry-timing.js";
import { sleepUnlessAborted } from "./abortable-sleep.js";
import { realTimers } from "./work-queue.js";
import type { Timers } from "./work-queue.js";

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
   * client-go's SetTransform): drop fields the consumer never reads, to save memory.
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
  #running: Promise<void> | undefined;
  #resourceVersion = "";
  readonly stats: InformerStats = { lists: 0, watches: 0, relistsAfterGone: 0, watchErrors: 0 };

  constructor(options: InformerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    this.#synced = new Promise((resolve) => {
      this.#resolveSynced = resolve;
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
          log.warn({ resource: resource.plural, err: end.error, failures }, "watch failed; reconnecting");
        } else if (events === 0 && this.#timers.now() - startedAt < minHealthy) {
          failures += 1;
        } else {
          failures = 0;
          continue;
        }
      } catch (err) {
        failures += 1;
        log.warn({ resource: resource.plural, err, failures }, "list failed; retrying");
      }
      await this.#sleep(backoffDelay(policy, failures, random));
    }
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
      const transform = this.#o.transform;
      for (const item of page.items) fresh.set(objectKey(item), transform ? (transform(item) as T) : item);
      resourceVersion = page.resourceVersion;
      cont = page.continue;
    } while (cont && !this.#abort.signal.aborted);
    this.stats.lists += 1;
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
    }
  }

  #apply(type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK", raw: T): void {
    const rv = raw.metadata?.resourceVersion;
    if (type === "BOOKMARK") {
      if (rv) this.#resourceVersion = rv;
      return;
    }
    const obj = this.#o.transform ? (this.#o.transform(raw) as T) : raw;
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
