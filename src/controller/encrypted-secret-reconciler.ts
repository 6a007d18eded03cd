/**
 * The IO shell shared by the SealedSecret and AgeSecret reconcilers: read the object and its
 * Secret from the caches, skip all decryption when the Secret is already up to date, otherwise
 * decrypt, plan (secret-plan.ts), write only what differs, write status only when it changed,
 * and record the Event. It owns its status and Events (sealed-secrets' reasons), so failures a
 * user must fix are reported here and the object is not retried until it, its Secret or the key
 * set changes; only API failures are thrown for the runtime to back off.
 */
import type { ControllerLogger, ObjectKey, ReconcileContext, ReconcileOutcome, Reconciler, SecondaryWatch } from "./types.js";
import { TransientError } from "./types.js";
import type { KubeObject, ResourceRef } from "../kube/types.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import { SECRETS } from "../kube/resources.js";
import { REASONS, planSecret, planWithoutDecrypting } from "./secret-plan.js";
import type { EncryptedSource, PlannedCondition, SecretPlan, Unsealed } from "./secret-plan.js";
import { nextSyncedStatus } from "./synced-status.js";
import { reloadConsumers } from "./reload.js";
import { contentHash } from "../eso/target-secret.js";

/** What a kind contributes: parsing, its planner view, and decryption. */
export interface EncryptedKind<T> {
  /** Reconciler name (metrics, logs, `--concurrency`). */
  name: string;
  resource: ResourceRef;
  statusStyle: "sealed-secrets" | "metav1";
  /** @returns the typed object, or a message naming the invalid field (never a value). */
  parse(obj: KubeObject): { ok: true; value: T } | { ok: false; message: string };
  source(value: T, namespace: string, name: string, uid: string | undefined): EncryptedSource;
  unseal(value: T, namespace: string, name: string): Promise<Unsealed>;
  /** Starts whatever decryption needs (the keys); called once from `start`. */
  start(ctx: ReconcileContext): Promise<void>;
  /** Changes whenever the decrypting key set changes (retries earlier failures). */
  keyVersion(): number;
}

/**
 * Counts unseal attempts and failures (sealed-secrets' `unseal_requests_total` and
 * `unseal_errors_total{reason,namespace}`; reasons `unseal`, `unmanaged`, `update`).
 */
export interface UnsealObserver {
  requested(namespace: string): void;
  failed(reason: "unseal" | "unmanaged" | "update", namespace: string): void;
}

/** What the reconciler does besides its kind: counting, and what to end at shutdown. */
export interface EncryptedSecretOptions {
  observer?: UnsealObserver;
  /** Called once at shutdown (decrypt pool, key timers). */
  stop?: () => Promise<void> | void;
}

/** sealed-secrets' error reason for a failed condition. */
function failureReason(condition: PlannedCondition): "unseal" | "unmanaged" | "update" {
  if (condition.reason === REASONS.unsealFailed) return "unseal";
  return condition.message.includes("is not managed by") ? "unmanaged" : "update";
}

function splitKey(key: ObjectKey): [string, string] {
  const slash = key.indexOf("/");
  return slash === -1 ? ["", key] : [key.slice(0, slash), key.slice(slash + 1)];
}

/** A reconciler turning one kind of encrypted object into Secrets. */
export class EncryptedSecretReconciler<T> implements Reconciler {
  readonly name: string;
  readonly resource: ResourceRef;
  readonly secondaryWatches: SecondaryWatch[];
  readonly #kind: EncryptedKind<T>;
  readonly #options: EncryptedSecretOptions;
  /** Keys whose last decryption failed, with what it failed on, so resyncs do no RSA work. */
  readonly #failed = new Map<ObjectKey, string>();
  /** The status last written per object (uid/generation + status), so a cache that has not yet
   * seen our own write does not cause the same write twice. */
  readonly #written = new Map<ObjectKey, string>();

  constructor(kind: EncryptedKind<T>, options: EncryptedSecretOptions = {}) {
    this.#kind = kind;
    this.#options = options;
    this.name = kind.name;
    this.resource = kind.resource;
    this.secondaryWatches = [
      {
        resource: SECRETS,
        // A Secret maps to the object of the same namespace/name: a deleted or edited Secret is
        // put back, and one that blocked us (not managed) being removed lets us proceed.
        mapToPrimary: (secret: KubeObject) => {
          const { namespace, name } = secret.metadata;
          return namespace && name ? [`${namespace}/${name}`] : [];
        },
      },
    ];
  }

  async start(ctx: ReconcileContext): Promise<void> {
    await this.#kind.start(ctx);
  }

  /** Ends what the options hold (worker threads, timers). */
  async stop(): Promise<void> {
    await this.#options.stop?.();
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileOutcome> {
    const obj = ctx.cache(this.resource).get(key);
    if (!obj || obj.metadata.deletionTimestamp) {
      // The Secret goes with it through its owner reference (garbage collection).
      this.#failed.delete(key);
      this.#written.delete(key);
      return {};
    }
    const [namespace, name] = splitKey(key);
    const log = ctx.log.child({ [this.name]: key });
    let existing = ctx.cache(SECRETS).get(key) ?? null;
    // A failure is reported once; it is retried when the object, its Secret or the keys change.
    const attempt = `${obj.metadata.uid}/${obj.metadata.generation}/${this.#kind.keyVersion()}/${existing?.metadata.resourceVersion ?? "-"}`;
    if (this.#failed.get(key) === attempt) return {};
    const parsed = this.#kind.parse(obj);
    if (!parsed.ok) {
      this.#options.observer?.requested(namespace);
      this.#options.observer?.failed("unseal", namespace);
      this.#failed.set(key, attempt);
      await this.#report(ctx, obj, { status: "False", reason: REASONS.unsealFailed, message: parsed.message }, true);
      return {};
    }
    const source = this.#kind.source(parsed.value, namespace, name, obj.metadata.uid);
    let plan = planWithoutDecrypting(source, existing);
    if (plan) {
      if (plan.condition.status === "False") {
        this.#options.observer?.requested(namespace);
        this.#options.observer?.failed(failureReason(plan.condition), namespace);
        this.#failed.set(key, attempt);
      } else this.#failed.delete(key);
      return this.#finish(ctx, obj, plan, log);
    }
    this.#options.observer?.requested(namespace);
    const unsealed = await this.#kind.unseal(parsed.value, namespace, name);
    plan = planSecret(source, existing, unsealed);
    for (let round = 0; ; round++) {
      try {
        await this.#apply(ctx, plan);
        await this.#maybeReload(ctx, existing, plan);
        break;
      } catch (err) {
        if (round === 0 && isConflict(err)) {
          // Our cache was behind (created meanwhile, or updated): plan again on a fresh read.
          existing = await ctx.kube.get(SECRETS, namespace, name);
          plan = planSecret(source, existing, unsealed);
          continue;
        }
        const message = `writing Secret ${key} failed: ${err instanceof Error ? err.message : String(err)}`;
        this.#options.observer?.failed("update", namespace);
        // The runtime records the Warning Event (reason ErrUpdateFailed) and backs off.
        await this.#report(ctx, obj, { status: "False", reason: REASONS.updateFailed, message }, false);
        throw new TransientError(REASONS.updateFailed, message, { cause: err });
      }
    }
    if (plan.condition.status === "False") {
      this.#options.observer?.failed(failureReason(plan.condition), namespace);
      this.#failed.set(key, attempt);
    } else this.#failed.delete(key);
    return this.#finish(ctx, obj, plan, log);
  }

  async #apply(ctx: ReconcileContext, plan: SecretPlan): Promise<void> {
    const action = plan.action;
    if (action.kind === "create") {
      await ctx.kube.create(SECRETS, action.secret);
    } else if (action.kind === "update") {
      await ctx.kube.replace(SECRETS, action.secret);
    } else if (action.kind === "recreate") {
      const { namespace, name } = action.secret.metadata;
      await ctx.kube.delete(SECRETS, namespace, name ?? "");
      await ctx.kube.create(SECRETS, action.secret);
    }
  }

  /**
   * Restarts consumers annotated `sealbridge.io/reload` when an existing Secret's content changed
   * (never on first creation, never for metadata only). Failures are logged by reloadConsumers.
   */
  async #maybeReload(ctx: ReconcileContext, before: KubeObject | null, plan: SecretPlan): Promise<void> {
    const action = plan.action;
    if (!before || (action.kind !== "update" && action.kind !== "recreate")) return;
    const hashOf = (s: KubeObject): string => contentHash(typeof s["type"] === "string" ? s["type"] : "Opaque", (s["data"] as Record<string, string> | undefined) ?? {});
    const after = hashOf(action.secret);
    if (hashOf(before) === after) return;
    const { namespace, name } = action.secret.metadata;
    await reloadConsumers(ctx.kube, namespace ?? "", name ?? "", after, ctx.clock, ctx.log);
  }

  async #finish(ctx: ReconcileContext, obj: KubeObject, plan: SecretPlan, log: ControllerLogger): Promise<ReconcileOutcome> {
    if (plan.action.kind !== "none") log.info({ action: plan.action.kind }, "Secret written");
    if (plan.condition.status === "False") log.warn({ reason: plan.condition.reason, message: plan.condition.message }, "not unsealed");
    await this.#report(ctx, obj, plan.condition, false);
    if (plan.event) await ctx.event(obj, plan.event.type, plan.event.reason, plan.event.message);
    return {};
  }

  /** Writes the status when it changed; with `withEvent`, also a Warning Event for a failure. */
  async #report(ctx: ReconcileContext, obj: KubeObject, condition: PlannedCondition, withEvent: boolean): Promise<void> {
    const status = nextSyncedStatus(obj["status"], obj.metadata.generation, condition, ctx.clock.now(), this.#kind.statusStyle);
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const fingerprint = `${obj.metadata.uid}/${obj.metadata.generation}/${condition.status}/${condition.reason}/${condition.message}`;
    if (status && this.#written.get(key) !== fingerprint) {
      try {
        await ctx.kube.patchStatus(this.resource, obj.metadata.namespace, obj.metadata.name ?? "", status);
        this.#written.set(key, fingerprint);
      } catch (err) {
        if (!isNotFound(err)) throw new TransientError("StatusUpdateFailed", `writing status of ${obj.metadata.namespace}/${obj.metadata.name} failed`, { cause: err });
      }
    }
    if (withEvent && condition.status === "False") await ctx.event(obj, "Warning", condition.reason, condition.message);
  }
}
