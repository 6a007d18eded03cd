/**
 * The reconciler-kit contract (issue 9) as this kind needs it, until src/controller/runtime/kind.ts
 * lands on main; then these names are imported from there instead (they are binding there).
 */
import type { KubeObject, ResourceRef } from "../../kube/types.js";
import type { ReconcileContext, SecondaryWatch } from "../types.js";

/** A condition the plan wants (the runtime adds times and observedGeneration). */
export interface ConditionInput {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** parse(): the typed object, or stalled with a message naming the field. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string; message: string };

/** A child write the plan wants. */
export type ChildWrite =
  | { op: "apply"; resource: ResourceRef; object: KubeObject }
  | { op: "replace"; resource: ResourceRef; object: KubeObject }
  | { op: "patch"; resource: ResourceRef; namespace?: string; name: string; patch: unknown; patchType: "merge" | "strategic" }
  | { op: "delete"; resource: ResourceRef; namespace?: string; name: string };

/** An Event the plan wants recorded on the object. */
export interface PlannedEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** What plan() returns. */
export interface Plan {
  writes: ChildWrite[];
  conditions: ConditionInput[];
  events: PlannedEvent[];
  status?: Record<string, unknown>;
  requeueAfterMs?: number;
  outcome:
    | { kind: "ok" }
    | { kind: "stalled"; reason: string; message: string }
    | { kind: "waiting"; reason: string; message: string; afterMs: number }
    | { kind: "transient"; reason: string; message: string };
}

/** The read-only context observe() gets. */
export type ObserveContext = Omit<ReconcileContext, "kube" | "event">;

/** One kind for the kit's runtime. */
export interface KindDefinition<Parsed, Observed> {
  readonly name: string;
  readonly resource: ResourceRef;
  readonly secondaryWatches?: SecondaryWatch[];
  readonly statusShape?: "conditions" | "sealed-secrets";
  parse(object: KubeObject): ParseResult<Parsed>;
  observe(ctx: ObserveContext, object: Parsed, raw: KubeObject): Promise<Observed>;
  plan(object: Parsed, observed: Observed, now: Date): Plan;
  /** The object is gone (or being deleted): drop what is kept for it. */
  forget?(key: string): void;
  start?(ctx: ReconcileContext): Promise<void>;
  stop?(): Promise<void> | void;
}
