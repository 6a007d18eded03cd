/**
 * Factories for `reconcilerFactories`: the ExternalSecret, SecretStore and ClusterSecretStore
 * reconcilers share one set of Vault services per controller (store connections with their token
 * caches, the coalescing reader with its concurrency limit and per-store backoff).
 */
import type { Clock } from "../clock.js";
import type { KubeClient } from "../kube/types.js";
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

/** The services for one controller (one KubeClient), created on first use. */
export function esoServicesFor(kube: KubeClient, clock: Clock, opts: { vaultConcurrency?: number } = {}): EsoServices {
  let services = shared.get(kube);
  if (!services) {
    services = { connections: new StoreConnections(kube, clock), reader: new VaultReader(clock, { concurrency: opts.vaultConcurrency ?? 16 }) };
    shared.set(kube, services);
  }
  return services;
}

/** The ExternalSecret reconciler. */
export async function externalSecretFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return new ExternalSecretReconciler(esoServicesFor(deps.kube, deps.clock));
}

/** The SecretStore reconciler. */
export async function secretStoreFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return new SecretStoreReconciler("SecretStore", esoServicesFor(deps.kube, deps.clock).connections);
}

/** The ClusterSecretStore reconciler. */
export async function clusterSecretStoreFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  return new SecretStoreReconciler("ClusterSecretStore", esoServicesFor(deps.kube, deps.clock).connections);
}
