/**
 * The VaultUnsealer kind for the reconciler kit: parse (spec.ts), observe (observe.ts: reads node
 * state and unseals), plan (plan.ts, pure). Pods are a secondary watch: a Vault pod that restarts
 * (new pod, new IP, Ready flipping) re-runs its VaultUnsealers at once; the jittered requeue
 * covers a node that reseals without any pod change.
 */
import { buildSink } from "../../alerts/sink-config.js";
import { vaultUnsealerResource } from "../../api/vault-unsealer.js";
import { PODS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import type { ControllerConfig } from "../config.js";
import { followedKeys } from "../encrypted-secret/followed-keys.js";
import { esoServicesOf } from "../external-secret/index.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import type { KindDefinition } from "../runtime/kind.js";
import type { ReconcileContext, Reconciler } from "../types.js";
import { observeVaultUnsealer, type UnsealerDeps } from "./observe.js";
import { planVaultUnsealer, type UnsealerObserved } from "./plan.js";
import { sealedMetric } from "./sealed-metric.js";
import { parseVaultUnsealer, type UnsealerSpec } from "./spec.js";

/**
 * The kind definition, with its adapters (age identity, alert sinks, API server connection).
 * @returns a KindDefinition named `vaultunsealer`.
 */
export function vaultUnsealerKind(deps: UnsealerDeps): KindDefinition<UnsealerSpec, UnsealerObserved> {
  let context: ReconcileContext | undefined;
  const keysForPod = (pod: KubeObject): string[] => {
    const ns = pod.metadata.namespace;
    if (context === undefined || ns === undefined) return [];
    return context
      .cache(vaultUnsealerResource)
      .list(ns)
      .filter((u) => {
        const parsed = parseVaultUnsealer(u);
        if (!parsed.ok || parsed.value.nodes.kind !== "pods") return false;
        const want = parsed.value.nodes.matchLabels;
        return Object.entries(want).every(([k, v]) => pod.metadata.labels?.[k] === v);
      })
      .map((u) => `${ns}/${u.metadata.name ?? ""}`);
  };
  return {
    name: "vaultunsealer",
    resource: vaultUnsealerResource,
    statusShape: "conditions",
    secondaryWatches: [{ resource: PODS, mapToPrimary: keysForPod }],
    parse: parseVaultUnsealer,
    observe: (ctx, spec) => observeVaultUnsealer(ctx, spec, deps),
    plan: planVaultUnsealer,
    async start(ctx) {
      context = ctx;
    },
  };
}

/**
 * The VaultUnsealer reconciler for `sealbridge controller --vault-unsealer`: shares open with the
 * controller's age identities; an unseal nudges the ESO stores' recovery probe, so the
 * ExternalSecrets waiting on that Vault are retried at once. `VaultNodeSealed` alerts go to the
 * object's `spec.alertSinks`, else the cluster default sinks (`--alert-sink TYPE=URL`, src/alerts);
 * each node's seal state is the `sealbridge_vault_sealed` gauge.
 */
export async function vaultUnsealerFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const keys = followedKeys(cfg, deps);
  const recovery = esoServicesOf(deps).recovery;
  const kind = vaultUnsealerKind({
    identities: async () => keys.ageIdentities,
    ...(deps.kubeConnection ? { kubeConnection: deps.kubeConnection } : {}),
    onNodeUnsealed: () => recovery?.nudge(),
    alertSinks: cfg.alertSinks.map((spec) => buildSink(spec)),
  });
  const sealed = sealedMetric(deps.metrics.registry);
  return kindReconciler({
    ...kind,
    passEnded: (raw, plan) => sealed.record(raw.metadata.namespace ?? "", raw.metadata.name ?? "", plan.status?.["nodes"]),
    forget: (key) => sealed.forget(key),
    stop: () => keys.stop(),
  });
}
