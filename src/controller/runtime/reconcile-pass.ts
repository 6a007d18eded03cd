/**
 * One reconcile pass of one key: skip it if stalled at this generation, run the reconciler,
 * let `decide` map the result, then act on the decision — queue (forget, requeue after, back
 * off, or remember as stalled), metrics, logs, Events and (opt-in) the Ready=False status.
 */
import type { Clock } from "../../clock.js";
import type { KubeClient } from "../../kube/types.js";
import type { ControllerMetrics } from "../../server/metrics.js";
import type { ObjectCache, ObjectKey, ReconcileContext, Reconciler } from "../types.js";
import { decide } from "./outcome.js";
import type { Decision, StalledMemory } from "./outcome.js";
import { writeReadyCondition } from "./status-write.js";
import type { WorkQueue } from "./work-queue.js";

/** What a pass needs: the reconciler with its context, cache, queue and memory, and the runtime's services. */
export interface PassInput {
  reconciler: Reconciler;
  ctx: ReconcileContext;
  primary: ObjectCache;
  queue: WorkQueue;
  stalled: StalledMemory;
  kube: KubeClient;
  clock: Clock;
  metrics: ControllerMetrics | undefined;
}

/** Runs one pass for `key`; never throws for reconciler errors (they become decisions). */
export async function runReconcilePass(p: PassInput, key: ObjectKey): Promise<void> {
  const { queue, metrics } = p;
  const c = p;
  const name = c.reconciler.name;
  const obj = c.primary.get(key);
  const generation = obj?.metadata.generation;
  // Kinds without a generation (Secrets, ConfigMaps) stay stalled until any change instead; a
  // reconciler may name more that makes a retry worth it (a new key set, a changed child).
  const base = generation ?? obj?.metadata.resourceVersion;
  const token = obj && c.reconciler.retryToken ? c.reconciler.retryToken(obj, c.ctx) : "";
  const version = token === "" ? base : `${base ?? ""}|${token}`;
  if (obj && c.stalled.isStalled(key, version)) return;
  c.stalled.clear(key);
  const started = performance.now();
  let decision: Decision;
  try {
    decision = decide({ outcome: await c.reconciler.reconcile(key, c.ctx) }, generation);
  } catch (err) {
    decision = decide({ error: err }, generation);
  }
  const seconds = (performance.now() - started) / 1000;
  metrics?.reconcileTotal.inc({ kind: name, result: decision.result });
  metrics?.reconcileDuration.observe({ kind: name }, seconds);
  if (decision.errorReason && decision.result !== "waiting") metrics?.reconcileErrors.inc({ kind: name, reason: decision.errorReason });
  const next = decision.next;
  if (next.kind === "backoff") {
    const delay = queue.addRateLimited(key);
    c.ctx.log.warn({ key, reason: decision.errorReason, message: decision.condition.message, retryInMs: delay }, "reconcile failed; backing off");
  } else {
    queue.forget(key);
    if (next.kind === "requeueAfter") queue.addAfter(key, next.ms);
    if (next.kind === "stalled") {
      c.stalled.mark(key, version);
      c.ctx.log.warn({ key, reason: decision.errorReason, message: decision.condition.message }, "reconcile stalled until the object changes");
    } else if (decision.result === "waiting") {
      c.ctx.log.info({ key, reason: decision.errorReason, message: decision.condition.message, requeueInMs: next.kind === "requeueAfter" ? next.ms : 0 }, "waiting");
    } else {
      c.ctx.log.debug({ key, seconds }, "reconciled");
    }
  }
  // Kit reconcilers (kind-reconciler.ts) have written status and Events themselves.
  if (!obj || decision.result === "success" || c.reconciler.reportsOutcome) return;
  if (decision.event) await c.ctx.event(obj, decision.event.type, decision.event.reason, decision.event.message);
  if (c.reconciler.writeReadyOnError) {
    const latest = c.primary.get(key) ?? obj;
    try {
      await writeReadyCondition(p.kube, c.reconciler.resource, latest, decision.condition, p.clock.now());
    } catch (err) {
      c.ctx.log.warn({ key, err }, "writing Ready=False status failed");
    }
  }
}
