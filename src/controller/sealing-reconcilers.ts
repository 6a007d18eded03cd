/**
 * Factories for `reconcilerFactories`: the SealedSecret and AgeSecret reconcilers share one key
 * service (controllerKeysFor) and the SealedSecret factory registers the key endpoints
 * (`/v1/cert.pem`, `/v1/verify`, `/v1/rotate`, `/v1/age-recipient`) on the main HTTP server.
 *
 * Every replica follows the keys from the moment it is built (standbys included), so the key
 * endpoints answer on any pod; only the leader creates and renews keys (the reconcilers' `start`).
 * Each reconciler's `stop` ends what it holds (the decrypt pool's worker threads, the key watch
 * and timers), so the process exits on its own after shutdown.
 */
import type { ControllerConfig } from "./config.js";
import type { ControllerDeps } from "./reconcilers.js";
import type { UnsealObserver } from "./encrypted-secret-reconciler.js";
import type { Reconciler } from "./types.js";
import { controllerKeysFor } from "./keys/controller-keys.js";
import type { ControllerKeys } from "./keys/controller-keys.js";
import { sealedSecretReconciler } from "./sealed-secret-reconciler.js";
import { ageSecretReconciler } from "./age-secret-reconciler.js";
import { registerKeyEndpoints } from "../server/key-endpoints.js";
import { createDecryptPool } from "../crypto/decrypt-pool.js";

/** The shared key service, following the key Secrets from now on (every replica). */
function followedKeys(cfg: ControllerConfig, deps: ControllerDeps): ControllerKeys {
  const keys = controllerKeysFor(cfg);
  keys.follow(deps.kube, deps.clock, deps.log).catch((err: unknown) =>
    deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, "loading sealing keys failed; the key watch retries"),
  );
  return keys;
}

/** sealed-secrets' unseal counters on the process's registry. */
function unsealObserver(deps: ControllerDeps): UnsealObserver {
  return {
    requested: () => deps.metrics.unsealRequests.inc(),
    failed: (reason, namespace) => deps.metrics.unsealErrors.inc({ reason, namespace }),
  };
}

/** The SealedSecret reconciler, with the key endpoints registered. */
export async function sealedSecretFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const keys = followedKeys(cfg, deps);
  const pool = createDecryptPool();
  const decrypt = pool ? pool.decrypt.bind(pool) : undefined;
  registerKeyEndpoints(deps.http, keys, decrypt ? { decrypt } : {});
  return sealedSecretReconciler(keys, decrypt, {
    observer: unsealObserver(deps),
    stop: async () => {
      await keys.stop();
      await pool?.close();
    },
  });
}

/** The AgeSecret reconciler. */
export async function ageSecretFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const keys = followedKeys(cfg, deps);
  return ageSecretReconciler(keys, { stop: () => keys.stop() });
}
