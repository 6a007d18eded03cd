/**
 * The runtime side of the kit: turns a KindDefinition into a Reconciler. One pass: read the
 * object from the cache, parse, observe, plan, apply the writes (one re-plan after a 409), write
 * the status through the one summarizer only when it changed, record the plan's Events (and one
 * for a failed outcome), then end with the outcome's error class as a typed error.
 */
import { isSealbridgeError } from "../../errors.js";
import { isConflict, isNotFound } from "../../kube/errors.js";
import { withoutManagedFields } from "../../kube/managed-fields.js";
import type { KubeObject, ResourceRef } from "../../kube/types.js";
import type { ObjectKey, ReconcileContext, ReconcileOutcome, Reconciler, SecondaryWatch } from "../types.js";
import { StalledError, TransientError, WaitingError } from "../types.js";
import { applyWrites } from "./child-writes.js";
import type { KindDefinition, ObserveContext, Plan, PlanOutcome } from "./kind.js";
import { cleanMessage, REASON_FAILED, statusDiffers, statusFingerprint, statusStyle, summarizeStatus } from "./status-summary.js";
import type { StatusStyle } from "./status-summary.js";

/** A message for a failure that never carries a foreign error's text (it might hold a value). */
export function failureMessage(err: unknown): string {
  if (isSealbridgeError(err) || err instanceof TransientError || err instanceof WaitingError || err instanceof StalledError) return err.message;
  return err instanceof Error ? `${err.name} (see controller logs)` : "unknown error";
}

/** The outcome for an error thrown by observe: its class by type; anything else is transient. */
export function outcomeOfError(err: unknown): PlanOutcome {
  if (err instanceof StalledError) return { kind: "stalled", reason: err.reason, message: err.message };
  if (err instanceof WaitingError) return { kind: "waiting", reason: err.reason, message: err.message, afterMs: err.afterMs };
  if (err instanceof TransientError) return { kind: "transient", reason: err.reason, message: err.message };
  return { kind: "transient", reason: REASON_FAILED, message: err instanceof Error ? err.message : String(err) };
}

/** A plan that only reports `outcome`. */
export function outcomePlan(outcome: PlanOutcome, status?: Record<string, unknown>): Plan {
  return { writes: [], conditions: [], events: [], outcome, ...(status ? { status } : {}) };
}

function observeContext(ctx: ReconcileContext): ObserveContext {
  return {
    clock: ctx.clock,
    log: ctx.log,
    cache: (r) => ctx.cache(r),
    live: { get: (r, ns, name) => ctx.kube.get(r, ns, name) },
    ...(ctx.isLeader ? { isLeader: ctx.isLeader } : {}),
  };
}

function refId(r: ResourceRef): string {
  return `${r.group}/${r.version}/${r.plural}`;
}

/** A Reconciler running one kind through the kit. */
export class KindReconciler<Parsed, Observed> implements Reconciler {
  readonly name: string;
  readonly resource: ResourceRef;
  readonly secondaryWatches: SecondaryWatch[];
  /** Status and Events are written here; the runtime only queues by the thrown error's class. */
  readonly reportsOutcome = true;
  readonly #kind: KindDefinition<Parsed, Observed>;
  readonly #style: StatusStyle;
  /** Per object, the fingerprint of the status this process last wrote (the cache may lag behind it). */
  readonly #written = new Map<ObjectKey, string>();
  /** Per object, what our last status write returned and the resourceVersions it is newer than. */
  readonly #ownWrite = new Map<ObjectKey, { object: KubeObject; replaced: string[] }>();

  constructor(kind: KindDefinition<Parsed, Observed>) {
    this.#kind = kind;
    this.name = kind.name;
    this.resource = kind.resource;
    this.secondaryWatches = kind.secondaryWatches ?? [];
    this.#style = statusStyle(kind.statusShape, {
      ...(kind.observedGenerationIn ? { observedGenerationIn: kind.observedGenerationIn } : {}),
      ...(kind.summaryConditions ? { summaryConditions: kind.summaryConditions } : {}),
    });
  }

  async start(ctx: ReconcileContext): Promise<void> {
    await this.#kind.start?.(ctx);
  }

  async stop(): Promise<void> {
    await this.#kind.stop?.();
  }

  /** What besides the generation makes a stalled object worth retrying. */
  retryToken(obj: KubeObject, ctx: ReconcileContext): string {
    return this.#kind.retryToken?.(obj, observeContext(ctx)) ?? "";
  }

  /**
   * The object to reconcile: the cache's, unless the cache still holds a version our own last
   * status write replaced (its watch event not yet arrived), then the object that write returned.
   * A kind that keeps progress in status (an ACME order's stage) must not act on its previous step.
   */
  #current(key: ObjectKey, cached: KubeObject | undefined): KubeObject | undefined {
    const own = this.#ownWrite.get(key);
    if (!own) return cached;
    const rv = cached?.metadata.resourceVersion;
    if (cached && rv !== undefined && cached.metadata.uid === own.object.metadata.uid && own.replaced.includes(rv)) return own.object;
    this.#ownWrite.delete(key);
    return cached;
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileOutcome> {
    const kind = this.#kind;
    const raw = this.#current(key, ctx.cache(this.resource).get(key));
    if (!raw || raw.metadata.deletionTimestamp) {
      // Children go with it through their owner references (garbage collection).
      this.#written.delete(key);
      this.#ownWrite.delete(key);
      kind.forget?.(key);
      return {};
    }
    const parsed = kind.parse(raw);
    if (!parsed.ok) return this.#finish(ctx, key, raw, outcomePlan({ kind: "stalled", reason: parsed.reason, message: parsed.message }, parsed.status), undefined, 0);
    const octx = observeContext(ctx);
    let observed: Observed;
    try {
      observed = await kind.observe(octx, parsed.value, raw);
    } catch (err) {
      return this.#finish(ctx, key, raw, outcomePlan(outcomeOfError(err)), undefined, 0);
    }
    let plan = kind.plan(parsed.value, observed, ctx.clock.now());
    let written = 0;
    const cached = (write: { resource: ResourceRef; object?: KubeObject }): KubeObject | undefined => {
      if (!write.object || !this.secondaryWatches.some((w) => refId(w.resource) === refId(write.resource))) return undefined;
      const { namespace, name } = write.object.metadata;
      return ctx.cache(write.resource).get(namespace ? `${namespace}/${name}` : (name ?? ""));
    };
    for (let round = 0; ; round++) {
      try {
        written = await applyWrites({ kube: ctx.kube, clock: ctx.clock, log: ctx.log, cached }, plan.writes);
        break;
      } catch (err) {
        if (round === 0 && isConflict(err)) {
          // Our view was behind (created meanwhile, or updated): plan again on fresh reads, once.
          try {
            observed = kind.reobserve ? await kind.reobserve(octx, parsed.value, raw, observed) : await kind.observe(octx, parsed.value, raw);
          } catch (again) {
            plan = outcomePlan(outcomeOfError(again));
            break;
          }
          plan = kind.plan(parsed.value, observed, ctx.clock.now());
          continue;
        }
        const message = failureMessage(err);
        ctx.log.warn({ key, err }, "applying the planned writes failed");
        plan = kind.planWriteFailure
          ? kind.planWriteFailure(parsed.value, observed, message, ctx.clock.now())
          : outcomePlan({ kind: "transient", reason: "WriteFailed", message: `writing children of ${key} failed: ${message}` });
        break;
      }
    }
    return this.#finish(ctx, key, raw, plan, observed, written);
  }

  async #finish(ctx: ReconcileContext, key: ObjectKey, raw: KubeObject, plan: Plan, observed: Observed | undefined, written: number): Promise<ReconcileOutcome> {
    try {
      this.#kind.passEnded?.(raw, plan, observed);
    } catch (err) {
      ctx.log.warn({ key, err }, "passEnded failed");
    }
    if (written > 0) ctx.log.info({ key, writes: written }, "children written");
    if (!plan.keepStatus) await this.#writeStatus(ctx, key, raw, plan, written > 0);
    for (const e of plan.events) await ctx.event(raw, e.type, e.reason, e.message);
    const outcome = plan.outcome;
    if (outcome.kind === "ok") return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
    if (!plan.events.some((e) => e.reason === outcome.reason)) {
      await ctx.event(raw, outcome.kind === "waiting" ? "Normal" : "Warning", outcome.reason, cleanMessage(outcome.message));
    }
    if (outcome.kind === "stalled") throw new StalledError(outcome.reason, outcome.message);
    if (outcome.kind === "waiting") throw new WaitingError(outcome.reason, outcome.message, outcome.afterMs);
    throw new TransientError(outcome.reason, outcome.message);
  }

  async #writeStatus(ctx: ReconcileContext, key: ObjectKey, raw: KubeObject, plan: Plan, wroteChildren: boolean): Promise<void> {
    const desired = summarizeStatus(raw, { conditions: plan.conditions, outcome: plan.outcome, fields: plan.status }, this.#style, ctx.clock.now());
    if (!statusDiffers(raw, desired)) return;
    const fingerprint = statusFingerprint(raw.metadata.uid, desired, this.#kind.statusTimeFields ?? []);
    // The cache can lag behind our own last status write: do not write the same outcome twice.
    if (!wroteChildren && this.#written.get(key) === fingerprint) return;
    try {
      const written = await ctx.kube.patchStatus(this.resource, raw.metadata.namespace, raw.metadata.name ?? "", desired);
      this.#written.set(key, fingerprint);
      const rv = raw.metadata.resourceVersion;
      if (written?.metadata?.resourceVersion !== undefined && rv !== undefined && written.metadata.resourceVersion !== rv) {
        // Versions the cache may still show that are older than this write: `raw`'s and, when raw was our previous write, the ones it replaced.
        const earlier = this.#ownWrite.get(key);
        const replaced = earlier && earlier.object.metadata.resourceVersion === rv ? [...earlier.replaced.slice(-15), rv] : [rv];
        this.#ownWrite.set(key, { object: withoutManagedFields(written), replaced });
      }
    } catch (err) {
      if (!isNotFound(err)) throw new TransientError("StatusUpdateFailed", `writing status of ${this.resource.kind} ${key} failed`, { cause: err });
    }
  }
}

/** The Reconciler for `kind`. */
export function kindReconciler<Parsed, Observed>(kind: KindDefinition<Parsed, Observed>): KindReconciler<Parsed, Observed> {
  return new KindReconciler(kind);
}
