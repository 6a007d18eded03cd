/**
 * The kit kind shared by SealedSecrets and AgeSecrets: parse the object into the planner's
 * EncryptedSource, observe the Secret of the same namespace/name (decrypting only when that Secret
 * is not already what the source produces), and plan it with sealed-secrets' rules
 * (secret-plan.ts). A failure a user must fix is stalled until the object, its Secret or the key
 * set changes; a failed Secret write is transient (ErrUpdateFailed).
 */
import type { KubeObject, ResourceRef } from "../../kube/types.js";
import { SECRETS } from "../../kube/resources.js";
import type { ReconcileContext } from "../types.js";
import type { ConditionInput } from "../runtime/conditions.js";
import type { KindDefinition, ParseResult, Plan } from "../runtime/kind.js";
import { REASONS, planSecret, planWithoutDecrypting } from "./secret-plan.js";
import type { EncryptedSource, PlannedCondition, SecretPlan, Unsealed } from "./secret-plan.js";

/** The decrypting side: the keys, and when they change. */
export interface DecryptingKeys {
  /** Starts whatever decryption needs (loading and renewing the keys); called once from `start`. */
  start(ctx: ReconcileContext): Promise<void>;
  /** Changes whenever the decrypting key set changes (retries earlier failures). */
  readonly version: number;
  /** The ids of the decrypting keys loaded now (src/controller/keys/key-ids.ts). */
  ids(): ReadonlySet<string>;
  /** Calls `listener` after every change of the key set. */
  onChange(listener: () => void): void;
}

/**
 * Counts unseal attempts and failures (sealed-secrets' `unseal_requests_total` and
 * `unseal_errors_total{reason,namespace}`; reasons `unseal`, `unmanaged`, `update`).
 */
export interface UnsealObserver {
  requested(namespace: string): void;
  failed(reason: "unseal" | "unmanaged" | "update", namespace: string): void;
}

/** What a kind contributes: parsing, its planner view, and decryption. */
export interface EncryptedKindParts<T> {
  name: string;
  resource: ResourceRef;
  /** "sealed-secrets": one Synced condition; "conditions": Synced and Ready (metav1). */
  statusShape: "sealed-secrets" | "conditions";
  /** @returns the typed object, or a message naming the invalid field (never a value). */
  parse(obj: KubeObject): { ok: true; value: T } | { ok: false; message: string };
  source(value: T, namespace: string, name: string, uid: string | undefined): EncryptedSource;
  open(value: T, namespace: string, name: string): Promise<Unsealed>;
  keys: DecryptingKeys;
  observer?: UnsealObserver | undefined;
  /** Called once at shutdown (decrypt pool, key timers). */
  stop?: (() => Promise<void> | void) | undefined;
}

/** A parsed encrypted object and the planner's view of it. */
export interface ParsedEncrypted<T> {
  value: T;
  source: EncryptedSource;
}

/** What observe saw: the Secret, and the decrypted values (null when decrypting was not needed). */
export interface EncryptedObserved {
  existing: KubeObject | null;
  unsealed: Unsealed | null;
  /** The decrypting keys' ids when observed: the Secret records them, and a later pass checks them. */
  keyIds?: ReadonlySet<string>;
  /**
   * What planWithoutDecrypting decided over `existing` when observe called it (it hashes the
   * source and the Secret): the plan uses it instead of deciding again. Absent: not decided yet.
   */
  withoutDecrypting?: SecretPlan | null;
}

function keyOf(source: EncryptedSource): string {
  return `${source.namespace}/${source.name}`;
}

function conditionsFor(shape: "sealed-secrets" | "conditions", condition: PlannedCondition): ConditionInput[] {
  const types = shape === "conditions" ? ["Synced", "Ready"] : ["Synced"];
  return types.map((type) => ({ type, status: condition.status, reason: condition.reason, message: condition.message }));
}

/** The kit plan for a SecretPlan. Pure. */
export function kitPlan(shape: "sealed-secrets" | "conditions", plan: SecretPlan): Plan {
  const c = plan.condition;
  return {
    writes: plan.writes,
    conditions: conditionsFor(shape, c),
    events: plan.event ? [plan.event] : [],
    outcome: c.status === "True" ? { kind: "ok" } : { kind: "stalled", reason: c.reason, message: c.message },
  };
}

/**
 * Plans an encrypted object from what observe saw. Pure.
 * Without decrypted values the Secret must already be current (or not ours): planWithoutDecrypting.
 */
export function planEncryptedSecret(shape: "sealed-secrets" | "conditions", source: EncryptedSource, observed: EncryptedObserved): Plan {
  const quick = observed.unsealed !== null ? null : observed.withoutDecrypting !== undefined ? observed.withoutDecrypting : planWithoutDecrypting(source, observed.existing, observed.keyIds);
  if (quick) return kitPlan(shape, quick);
  if (observed.unsealed === null) {
    return { writes: [], conditions: [], events: [], outcome: { kind: "transient", reason: REASONS.unsealFailed, message: `${keyOf(source)}: not decrypted (internal error; retrying)` } };
  }
  return kitPlan(shape, planSecret(source, observed.existing, observed.unsealed, observed.keyIds));
}

/** The KindDefinition of an encrypted kind. */
export function encryptedSecretKind<T>(parts: EncryptedKindParts<T>): KindDefinition<ParsedEncrypted<T>, EncryptedObserved> {
  const shape = parts.statusShape;
  const observer = parts.observer;
  return {
    name: parts.name,
    resource: parts.resource,
    statusShape: shape,
    summaryConditions: shape === "conditions" ? ["Synced", "Ready"] : ["Synced"],
    secondaryWatches: [
      {
        resource: SECRETS,
        // A Secret maps to the object of the same namespace/name: a deleted or edited Secret is
        // put back, and one that blocked us (not managed) being removed lets us proceed.
        mapToPrimary: (secret: KubeObject) => {
          const { namespace, name } = secret.metadata;
          return namespace && name ? [`${namespace}/${name}`] : [];
        },
      },
    ],
    parse(obj): ParseResult<ParsedEncrypted<T>> {
      const parsed = parts.parse(obj);
      if (!parsed.ok) return { ok: false, reason: REASONS.unsealFailed, message: parsed.message };
      const { namespace = "", name = "", uid } = obj.metadata;
      return { ok: true, value: { value: parsed.value, source: parts.source(parsed.value, namespace, name, uid) } };
    },
    async observe(ctx, parsed) {
      const { source } = parsed;
      const existing = ctx.cache(SECRETS).get(keyOf(source)) ?? null;
      const keyIds = parts.keys.ids();
      // Decrypting is the expensive part (RSA): skip it when the Secret is already current and
      // the keys that opened it are still loaded.
      const withoutDecrypting = planWithoutDecrypting(source, existing, keyIds);
      if (withoutDecrypting) return { existing, unsealed: null, keyIds, withoutDecrypting };
      observer?.requested(source.namespace);
      return { existing, unsealed: await parts.open(parsed.value, source.namespace, source.name), keyIds };
    },
    async reobserve(ctx, parsed, _raw, observed) {
      const { namespace, name } = parsed.source;
      return { existing: await ctx.live.get(SECRETS, namespace, name), unsealed: observed.unsealed, ...(observed.keyIds ? { keyIds: observed.keyIds } : {}) };
    },
    plan: (parsed, observed) => planEncryptedSecret(shape, parsed.source, observed),
    planWriteFailure(parsed, _observed, message) {
      const text = `writing Secret ${keyOf(parsed.source)} failed: ${message}`;
      return {
        writes: [],
        conditions: conditionsFor(shape, { status: "False", reason: REASONS.updateFailed, message: text }),
        events: [],
        outcome: { kind: "transient", reason: REASONS.updateFailed, message: text },
      };
    },
    retryToken(raw, ctx) {
      const { namespace, name, uid } = raw.metadata;
      return `${uid ?? ""}/${parts.keys.version}/${ctx.cache(SECRETS).get(`${namespace}/${name}`)?.metadata.resourceVersion ?? "-"}`;
    },
    passEnded(raw, plan, observed) {
      const outcome = plan.outcome;
      if (!observer || outcome.kind === "ok") return;
      const namespace = raw.metadata.namespace ?? "";
      // The reason is read from the outcome's class and reason, never from its text.
      if (observed === undefined) {
        observer.requested(namespace);
        observer.failed("unseal", namespace);
      } else if (outcome.kind === "transient") {
        observer.failed("update", namespace);
      } else {
        if (observed.unsealed === null) observer.requested(namespace);
        observer.failed(outcome.reason === REASONS.unsealFailed ? "unseal" : "unmanaged", namespace);
      }
    },
    async start(ctx) {
      await parts.keys.start(ctx);
      // Status says whether the current keys open each object: look again whenever they change.
      parts.keys.onChange(() => ctx.requeueAll?.());
    },
    stop: () => parts.stop?.(),
  };
}
