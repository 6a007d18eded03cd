/**
 * Factories for `reconcilerFactories`: the ExternalSecret, SecretStore and ClusterSecretStore
 * reconcilers share one set of Vault services per controller (store connections with their token
 * caches, the coalescing reader with its concurrency limit and per-store backoff).
 */
import type { Clock } from "../clock.js";
import type { KubeClient } from "../kube/types.js";
import type { ControllerMetrics } from "../server/metrics.js";
import { StoreConnections } from "../eso/store-connections.js";
import { VaultReader } from "../eso/vault-reader.js";
import type { ControllerConfig } from "./config.js";
import { ExternalSecretReconciler } from "./external-secret-reconciler.js";
import type { ControllerDeps } from "./reconcilers.js";
import { SecretStoreReconciler } from "./secret-store-reconciler.js";
import type { Reconciler } from "./types.js";

/** The Vault services the ESO reconcilers share. */
export interface EsoServices {
  connections: StoreConnections;
  reader: VaultReader;
}

const shared = new WeakMap<KubeClient, EsoServices>();

/** ESO's provider label for Vault. */
const VAULT_PROVIDER = "HashiCorp/Vault";

/** The services for one controller (one KubeClient), created on first use; Vault calls are counted on `metrics`. */
export function esoServicesFor(kube: KubeClient, clock: Clock, opts: { vaultConcurrency?: number; metrics?: ControllerMetrics } = {}): EsoServices {
  let services = shared.get(kube);
  if (!services) {
    const metrics = opts.metrics;
    const reader = new VaultReader(clock, {
      concurrency: opts.vaultConcurrency ?? 16,
      ...(metrics ? { onApiCall: (call, status) => metrics.providerApiCalls.inc({ provider: VAULT_PROVIDER, call, status }) } : {}),
    });
    services = { connections: new StoreConnections(kube, clock), reader };
    shared.set(kube, services);
  }
  return services;
}

/** The ExternalSecret reconciler. */
export async function externalSecretFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const { metrics } = deps;
  return new ExternalSecretReconciler({
    ...esoServicesFor(deps.kube, deps.clock, { metrics }),
    observer: {
      called: (name, namespace) => metrics.esSyncCalls.inc({ name, namespace }),
      failed: (name, namespace) => metrics.esSyncErrors.inc({ name, namespace }),
    },
  });
}

/** The SecretStore reconciler. */
export async function secretStoreFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return new SecretStoreReconciler("SecretStore", esoServicesFor(deps.kube, deps.clock, { metrics: deps.metrics }).connections);
}

/** The ClusterSecretStore reconciler. */
export async function clusterSecretStoreFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return new SecretStoreReconciler("ClusterSecretStore", esoServicesFor(deps.kube, deps.clock, { metrics: deps.metrics }).connections);
}
