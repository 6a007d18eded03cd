/**
 * The reconciler kit's contract: what a kind provides (parse, observe, a pure plan) and what its
 * plan returns. The runtime (kind-reconciler.ts) does the rest once for every kind: applying the
 * writes, the status (status-summary.ts), Events and the error classes. See docs/adding-a-kind.md.
 */
import type { Clock } from "../../clock.js";
import type { KubeObject, ResourceRef } from "../../kube/types.js";
import type { ControllerLogger, ObjectCache, ReconcileContext, SecondaryWatch } from "../types.js";
import type { ConditionInput } from "./conditions.js";

/** parse(): the typed object, or stalled with a message naming the field. */
export type ParseResult<T> =
  | { ok: true; value: T }
  /** `status`: kind-specific status fields still known from the raw object (e.g. an ExternalSecret's binding). */
  | { ok: false; reason: string; message: string; status?: Record<string, unknown> };

/**
 * A child object the plan wants to exist in a given shape (or gone). The runtime compares with
 * the live object and writes only what differs; one re-plan after a 409.
 * `apply` creates the object when it has no `metadata.resourceVersion`, else replaces it at that
 * version (so a stale view fails with 409 instead of overwriting). `previous`, when given on a
 * Secret write, is the Secret the plan compared against: when the content (type and data)
 * changes, workloads annotated `sealbridge.io/reload` are restarted.
 */
export type ChildWrite =
  | { op: "apply"; resource: ResourceRef; object: KubeObject; previous?: KubeObject | null }
  | { op: "replace"; resource: ResourceRef; object: KubeObject; previous?: KubeObject | null }
  | { op: "patch"; resource: ResourceRef; namespace?: string; name: string; patch: unknown; patchType: "merge" | "strategic"; previous?: KubeObject | null }
  | { op: "delete"; resource: ResourceRef; namespace?: string; name: string };

/** An Event the plan asks for; `reason` equals a condition reason. */
export interface PlannedEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** How a pass ended: ok, or one of the three error classes (decided by type, never by text). */
export type PlanOutcome =
  | { kind: "ok" }
  | { kind: "stalled"; reason: string; message: string }
  | { kind: "waiting"; reason: string; message: string; afterMs: number }
  | { kind: "transient"; reason: string; message: string };

/** What plan() returns. Pure: no IO, time comes in as `now`. */
export interface Plan {
  writes: ChildWrite[];
  /**
   * Conditions other than Ready and/or Ready itself; the runtime's one summarizer fills Ready
   * (from `outcome`) when absent, sets observedGeneration and RFC 3339 second-precision times,
   * and keeps lastTransitionTime when status does not change.
   */
  conditions: ConditionInput[];
  events: PlannedEvent[];
  /** Kind-specific status fields beside conditions (e.g. notAfter, renewalTime, nodes[]). */
  status?: Record<string, unknown>;
  requeueAfterMs?: number;
  outcome: PlanOutcome;
  /** True when the pass has nothing to say: the status is left exactly as it is. */
  keepStatus?: boolean;
}

/** Read-only access to the API server (never the cache), e.g. for the re-plan after a 409. */
export interface LiveReader {
  /** The object, or null when it does not exist. @throws KubeApiError for other failures. */
  get<T extends KubeObject = KubeObject>(resource: ResourceRef, namespace: string | undefined, name: string): Promise<T | null>;
}

/** What observe() may use: ReconcileContext without write access. */
export interface ObserveContext {
  clock: Clock;
  log: ControllerLogger;
  cache<T extends KubeObject = KubeObject>(resource: ResourceRef): ObjectCache<T>;
  live: LiveReader;
  isLeader?: () => boolean;
}

/** One kind: everything the runtime cannot know. */
export interface KindDefinition<Parsed, Observed> {
  /** Short name for metrics/logs/--reconcilers/--concurrency: "sealedsecret", "certificatecheck", … */
  readonly name: string;
  readonly resource: ResourceRef;
  readonly secondaryWatches?: SecondaryWatch[];
  /** "conditions" (metav1.Condition list, Ready summary) or "sealed-secrets" (the Synced adapter). */
  readonly statusShape?: "conditions" | "sealed-secrets";
  /**
   * Where observedGeneration goes (as the kind's CRD allows): "status" (status.observedGeneration),
   * "conditions" (each condition), "both" or "none". Default: "both" for "conditions", "status" for
   * "sealed-secrets". A field the CRD's schema lacks is pruned by the apiserver, so the stored
   * status would differ from the planned one at every pass and be written again each time.
   */
  readonly observedGenerationIn?: "status" | "conditions" | "both" | "none";
  /**
   * Condition types that summarize the pass (filled from the outcome when the plan does not set
   * them). Default ["Ready"], or ["Synced"] for the "sealed-secrets" shape.
   */
  readonly summaryConditions?: readonly string[];
  /** Status fields holding times (besides condition times): not compared when deciding whether our own last write is already there. */
  readonly statusTimeFields?: readonly string[];
  parse(object: KubeObject): ParseResult<Parsed>;
  /** Reads only (cache, Vault, DNS, keys, endpoints). May throw TransientError/WaitingError/StalledError. */
  observe(ctx: ObserveContext, object: Parsed, raw: KubeObject): Promise<Observed>;
  plan(object: Parsed, observed: Observed, now: Date): Plan;
  /**
   * After a 409 on a write: what observe saw, refreshed from the API server (not the cache), for
   * the one re-plan. Default: observe again.
   */
  reobserve?(ctx: ObserveContext, object: Parsed, raw: KubeObject, observed: Observed): Promise<Observed>;
  /** The plan when applying a write failed (not a 409, or a second one). Pure. Default: transient `WriteFailed`. */
  planWriteFailure?(object: Parsed, observed: Observed, message: string, now: Date): Plan;
  /**
   * A token of what, besides the object's generation, makes a stalled object worth retrying
   * (e.g. the key set's version and the child Secret's resourceVersion).
   */
  retryToken?(raw: KubeObject, ctx: ObserveContext): string;
  /** Told how each pass over an existing object ended (kind metrics). Must not throw. */
  passEnded?(raw: KubeObject, plan: Plan, observed: Observed | undefined): void;
  /** The object is gone (or being deleted): drop what is kept for it. */
  forget?(key: string): void;
  start?(ctx: ReconcileContext): Promise<void>;
  stop?(): Promise<void> | void;
}
