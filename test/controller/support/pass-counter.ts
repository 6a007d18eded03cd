/**
 * Counting reconcile passes per key, so a test can wait for "every key reconciled again" (a full
 * resync) instead of sleeping for a resync period.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { ObjectKey, ReconcileContext, Reconciler } from "../../../src/controller/types.js";

/** A reconciler that counts its passes per key, and what it wraps. */
export interface CountedReconciler {
  reconciler: Reconciler;
  /** Passes started for `key` so far. */
  passes(key: ObjectKey): number;
  /** The counts now, for `grewFor`. */
  snapshot(): Map<ObjectKey, number>;
  /** True when every key in `keys` has run at least `by` (default 1) more times since `since`. */
  grewFor(since: Map<ObjectKey, number>, keys: readonly ObjectKey[], by?: number): boolean;
}

/** Wraps `inner`, counting passes (the runtime's view of it is unchanged). */
export function countPasses(inner: Reconciler): CountedReconciler {
  const counts = new Map<ObjectKey, number>();
  const reconciler: Reconciler = {
    name: inner.name,
    resource: inner.resource,
    ...(inner.secondaryWatches ? { secondaryWatches: inner.secondaryWatches } : {}),
    ...(inner.reportsOutcome !== undefined ? { reportsOutcome: inner.reportsOutcome } : {}),
    ...(inner.writeReadyOnError !== undefined ? { writeReadyOnError: inner.writeReadyOnError } : {}),
    ...(inner.retryToken ? { retryToken: (obj: KubeObject, ctx: ReconcileContext) => inner.retryToken?.(obj, ctx) ?? "" } : {}),
    start: async (ctx) => inner.start?.(ctx),
    stop: async () => inner.stop?.(),
    reconcile: (key, ctx) => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return inner.reconcile(key, ctx);
    },
  };
  return {
    reconciler,
    passes: (key) => counts.get(key) ?? 0,
    snapshot: () => new Map(counts),
    grewFor: (since, keys, by = 1) => keys.every((k) => (counts.get(k) ?? 0) >= (since.get(k) ?? 0) + by),
  };
}
