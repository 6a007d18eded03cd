/**
 * The reconciler-kit contract (/work/wt/KIT-CONTRACT.md, issue 9) as far as this kind uses it,
 * until src/controller/runtime/kind.ts lands on main; then this file goes and the imports point
 * there. Names and shapes are the contract's.
 */
import type { KubeObject } from "../../kube/types.js";
import type { ConditionInput } from "../runtime/conditions.js";
import type { ReconcileContext } from "../types.js";

/** parse(): the typed object, or stalled with a message naming the field. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string; message: string };

/** An Event the plan asks for; its reason equals a condition reason. */
export interface PlannedEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** What plan() returns (this kind writes no children). */
export interface Plan {
  writes: never[];
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

/** Read-only access to the API server. */
export interface LiveReader {
  get<T extends KubeObject = KubeObject>(resource: import("../../kube/types.js").ResourceRef, namespace: string | undefined, name: string): Promise<T | null>;
}

/** What observe() may use: ReconcileContext without write access. */
export interface ObserveContext {
  clock: ReconcileContext["clock"];
  log: ReconcileContext["log"];
  cache: ReconcileContext["cache"];
  live: LiveReader;
  isLeader?: () => boolean;
}

/** Used only to keep the raw object's type in one place. */
export type RawObject = KubeObject;

/** A kind as the kit registers it (the contract's KindDefinition, without secondary-watch typing changes). */
export interface KindDefinition<Parsed, Observed> {
  readonly name: string;
  readonly resource: import("../../kube/types.js").ResourceRef;
  readonly secondaryWatches?: import("../types.js").SecondaryWatch[];
  readonly statusShape?: "conditions" | "sealed-secrets";
  parse(object: KubeObject): ParseResult<Parsed>;
  observe(ctx: ObserveContext, object: Parsed, raw: KubeObject): Promise<Observed>;
  plan(object: Parsed, observed: Observed, now: Date): Plan;
  start?(ctx: ReconcileContext): Promise<void>;
  stop?(): Promise<void> | void;
}
