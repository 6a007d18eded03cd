/**
 * The contract between the controller runtime (src/controller/runtime/) and the reconcilers
 * (one file per kind in src/controller/). Reconcilers never touch watches, queues or retries:
 * they get a key, read from caches, act through the KubeClient, and return an outcome or throw
 * one of the typed errors below.
 */
import type { Clock } from "../clock.js";
import type { KubeClient, KubeObject, ResourceRef } from "../kube/types.js";
import type { StructuredLogger } from "../log.js";

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones. */
export type ObjectKey = string;

/** A read-only view of the objects of one resource, kept current by list+watch. */
export interface ObjectCache<T extends KubeObject = KubeObject> {
  get(key: ObjectKey): T | undefined;
  list(namespace?: string): T[];
  /** Resolves once the initial list has been loaded. */
  synced(): Promise<void>;
}

/** What a reconcile pass asks of the runtime when it returns normally. */
export interface ReconcileOutcome {
  /** Come back after this long even if nothing changes (refresh intervals, renewals). */
  requeueAfterMs?: number;
}

/** A secondary resource whose changes should re-run reconciles of the primary objects it maps to. */
export interface SecondaryWatch {
  resource: ResourceRef;
  /** Restrict the watch to one namespace (e.g. the controller's own). */
  namespace?: string;
  labelSelector?: string;
  /**
   * The kind also runs while this resource's CRD is not installed (its cache stays empty until
   * the CRD appears), e.g. the SecretStores only a DnsCredential with a Vault source reads.
   */
  optional?: boolean;
  /** The primary keys to enqueue when this object is added, changed or deleted. */
  mapToPrimary(obj: KubeObject): ObjectKey[];
}

/** Everything a reconciler may use; handed over by the runtime at start. */
export interface ReconcileContext {
  kube: KubeClient;
  clock: Clock;
  /** Caches of the primary resource and of every SecondaryWatch, by `ResourceRef` identity. */
  cache<T extends KubeObject = KubeObject>(resource: ResourceRef): ObjectCache<T>;
  /** Records a Kubernetes Event on `regarding`; `reason` equals the condition reason. */
  event(regarding: KubeObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
  log: ControllerLogger;
  /** True while this instance does the work (always, without leader election). */
  isLeader?: () => boolean;
  /** Queues every object of the reconciler's kind again (e.g. after the key set changed). */
  requeueAll?: () => void;
  /**
   * Reconciles these keys of the primary resource now, as if they had never failed: their
   * backoff is dropped (e.g. every ExternalSecret of a store whose Vault just came back).
   */
  retryNow?(keys: readonly ObjectKey[]): void;
}

/** Structured logger; field values are redacted by the runtime's logger configuration (src/log.ts). */
export type ControllerLogger = StructuredLogger;

/** One reconciler per kind. */
export interface Reconciler {
  /** Short name used in metrics and logs, e.g. `sealedsecret`. */
  readonly name: string;
  /** The primary resource whose objects are the queue's keys. */
  readonly resource: ResourceRef;
  readonly secondaryWatches?: SecondaryWatch[];
  /**
   * When true, the runtime writes `Ready=False` (reason and message from the thrown error, with
   * observedGeneration) through the status subresource when a reconcile throws; the reconciler
   * then writes `Ready=True` itself on success. Default false: the reconciler owns all status.
   */
  readonly writeReadyOnError?: boolean;
  /**
   * True when the reconciler writes status and Events for failures itself (every kit kind, see
   * runtime/kind-reconciler.ts): the runtime then only queues by the thrown error's class.
   */
  readonly reportsOutcome?: boolean;
  /**
   * What, besides the object's generation, makes a stalled object worth retrying (e.g. the key
   * set's version): the runtime retries a stalled key once this token changes.
   */
  retryToken?(obj: KubeObject, ctx: ReconcileContext): string;
  /**
   * Called once with the runtime's context before any reconcile: at start without leader
   * election, else when this instance first becomes leader (standbys write nothing, so they
   * never call it). Caches are being filled meanwhile; await `ctx.cache(r).synced()` if needed.
   */
  start?(ctx: ReconcileContext): Promise<void>;
  /**
   * Called once at shutdown on every instance, leader or standby, whether `start` ran or not,
   * after in-flight reconciles finished (or the shutdown timeout passed): stop timers, watches,
   * worker threads and pools so the process can exit. Errors are logged.
   */
  stop?(): Promise<void> | void;
  /**
   * Brings the world in line with the object at `key` (which may have been deleted: then the
   * cache has no entry). Idempotent: a second run with nothing changed writes nothing.
   * @throws TransientError (back off and retry), WaitingError (requeue after its delay, not a
   * failure), StalledError (a user must change the object; not retried until it changes).
   */
  reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileOutcome>;
}

/** A failure likely to pass by itself: retry with per-key exponential backoff. */
export class TransientError extends Error {
  constructor(readonly reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransientError";
  }
}

/** Not a failure: something is not ready yet (Vault sealed, a Secret missing). Requeue after `afterMs`. */
export class WaitingError extends Error {
  constructor(readonly reason: string, message: string, readonly afterMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WaitingError";
  }
}

/** The object's spec cannot work as written; retried only when its generation changes. */
export class StalledError extends Error {
  constructor(readonly reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StalledError";
  }
}
