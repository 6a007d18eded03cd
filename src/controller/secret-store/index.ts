/**
 * The SecretStore and ClusterSecretStore kinds: validate the store (schema and supported
 * fields) and, when its auth does not depend on the ExternalSecret's namespace, that a Vault
 * login works. The smallest kind: copy this folder to add one (docs/adding-a-kind.md).
 */
import { StoreReason, clusterSecretStoreResource, secretStoreFindings, secretStoreResource, secretStoreSchema } from "../../api/secret-store.js";
import type { SecretStore } from "../../api/secret-store.js";
import { schemaFindings } from "../../eso/lint.js";
import type { StoreConnections } from "../../eso/store-connections.js";
import type { ControllerConfig } from "../config.js";
import { esoServicesOf } from "../external-secret/index.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import type { KindDefinition } from "../runtime/kind.js";
import type { Reconciler } from "../types.js";
import { observeSecretStore } from "./observe.js";
import { planSecretStore, STORE_STATUS_FIELDS } from "./plan.js";
import type { StoreObserved } from "./plan.js";

/** The SecretStore or ClusterSecretStore kind (one per kind), logging in through `connections`. */
export function secretStoreKind(kind: "SecretStore" | "ClusterSecretStore", connections: StoreConnections): KindDefinition<SecretStore, StoreObserved> {
  return {
    name: kind.toLowerCase(),
    resource: kind === "SecretStore" ? secretStoreResource : clusterSecretStoreResource,
    statusShape: "conditions",
    // ESO's CRD has no observedGeneration, neither in status nor in its conditions (the
    // apiserver would prune it, and every pass would then write the status again).
    observedGenerationIn: "none",
    parse(obj) {
      const parsed = secretStoreSchema.safeParse(obj);
      const problems = [...(parsed.success ? [] : schemaFindings(parsed.error.issues)), ...secretStoreFindings(obj.spec)];
      if (parsed.success && problems.length === 0) return { ok: true, value: parsed.data };
      return { ok: false, reason: StoreReason.InvalidProviderConfig, message: problems.slice(0, 3).map((p) => p.message).join("; "), status: { ...STORE_STATUS_FIELDS } };
    },
    observe: (_ctx, store) => observeSecretStore(connections, store),
    plan: (store, observed) => planSecretStore(store, observed),
  };
}

/** The reconciler of one store kind. */
export function secretStoreReconciler(kind: "SecretStore" | "ClusterSecretStore", connections: StoreConnections): Reconciler {
  return kindReconciler(secretStoreKind(kind, connections));
}

/** The SecretStore reconciler for `sealbridge controller`. */
export async function secretStoreFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return secretStoreReconciler("SecretStore", esoServicesOf(deps).connections);
}

/** The ClusterSecretStore reconciler for `sealbridge controller`. */
export async function clusterSecretStoreFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return secretStoreReconciler("ClusterSecretStore", esoServicesOf(deps).connections);
}
