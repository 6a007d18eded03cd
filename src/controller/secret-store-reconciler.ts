/**
 * SecretStore / ClusterSecretStore reconciler: validates the store (schema and supported fields)
 * and, when its auth does not depend on the ExternalSecret's namespace, that a Vault login works.
 * Writes the Ready condition with ESO's reasons (Valid, InvalidProviderConfig, ValidationFailed).
 */
import { type SecretStore, StoreReason, clusterSecretStoreResource, secretStoreFindings, secretStoreResource, secretStoreSchema } from "../api/secret-store.js";
import { isNotFound } from "../kube/errors.js";
import type { KubeObject, ResourceRef } from "../kube/types.js";
import { schemaFindings } from "../eso/lint.js";
import { namespaceFree, type StoreConnections } from "../eso/store-connections.js";
import { conditionsEqual, setCondition } from "./runtime/conditions.js";
import type { Condition } from "./runtime/conditions.js";
import type { ObjectKey, ReconcileContext, ReconcileOutcome, Reconciler } from "./types.js";
import { StalledError, TransientError, WaitingError } from "./types.js";

const REVALIDATE_MS = 5 * 60_000;

/** Validates SecretStores or ClusterSecretStores (one instance per kind) and writes their Ready condition. */
export class SecretStoreReconciler implements Reconciler {
  readonly name: string;
  readonly resource: ResourceRef;

  constructor(
    kind: "SecretStore" | "ClusterSecretStore",
    private readonly connections: StoreConnections,
  ) {
    this.resource = kind === "SecretStore" ? secretStoreResource : clusterSecretStoreResource;
    this.name = kind.toLowerCase();
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileOutcome> {
    const obj = ctx.cache(this.resource).get(key);
    if (!obj || obj.metadata.deletionTimestamp) return {};
    const parsed = secretStoreSchema.safeParse(obj);
    const problems = [...(parsed.success ? [] : schemaFindings(parsed.error.issues)), ...secretStoreFindings(obj.spec)];
    if (!parsed.success || problems.length > 0) {
      const message = problems.slice(0, 3).map((p) => p.message).join("; ");
      await this.#write(ctx, obj, { type: "Ready", status: "False", reason: StoreReason.InvalidProviderConfig, message });
      throw new StalledError(StoreReason.InvalidProviderConfig, message);
    }
    const store = parsed.data;
    if (store.kind === "SecretStore" || namespaceFree(store)) {
      try {
        const conn = await this.connections.get(store, store.metadata.namespace ?? "");
        await conn.session.token();
      } catch (err) {
        const message = `cannot log in to Vault: ${err instanceof Error && "code" in err ? err.message : "see controller logs"}`;
        await this.#write(ctx, obj, { type: "Ready", status: "False", reason: StoreReason.ValidationFailed, message });
        throw new WaitingError(StoreReason.ValidationFailed, message, 30_000);
      }
    }
    await this.#write(ctx, obj, { type: "Ready", status: "True", reason: StoreReason.Valid, message: "store validated" });
    return { requeueAfterMs: REVALIDATE_MS };
  }

  async #write(ctx: ReconcileContext, obj: KubeObject, condition: Omit<Condition, "lastTransitionTime">): Promise<void> {
    const status = obj["status"] as { conditions?: Condition[]; capabilities?: string } | undefined;
    const existing = status?.conditions;
    const next = setCondition(existing, { ...condition, ...(obj.metadata.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}) }, ctx.clock.now());
    if (conditionsEqual(next, existing) && status?.capabilities === "ReadOnly") return;
    try {
      // ReadOnly as ESO reports it for stores that are read from (PushSecret is not supported).
      await ctx.kube.patchStatus(this.resource, obj.metadata.namespace, obj.metadata.name ?? "", { conditions: next, capabilities: "ReadOnly" });
    } catch (err) {
      if (!isNotFound(err)) throw new TransientError("StatusUpdateFailed", `writing status of ${this.resource.kind} ${obj.metadata.name} failed`, { cause: err });
    }
  }
}
