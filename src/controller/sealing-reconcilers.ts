/**
 * Factories for `reconcilerFactories`: the SealedSecret and AgeSecret reconcilers share one key
 * service (controllerKeysFor) and the SealedSecret factory registers the key endpoints
 * (`/v1/cert.pem`, `/v1/verify`, `/v1/rotate`, `/v1/age-recipient`) on the main HTTP server.
 */
import type { ControllerConfig } from "./config.js";
import type { ControllerDeps } from "./reconcilers.js";
import type { Reconciler } from "./types.js";
import { controllerKeysFor } from "./keys/controller-keys.js";
import { sealedSecretReconciler } from "./sealed-secret-reconciler.js";
import { ageSecretReconciler } from "./age-secret-reconciler.js";
import { registerKeyEndpoints } from "../server/key-endpoints.js";
import { createDecryptPool } from "../crypto/decrypt-pool.js";

/** The SealedSecret reconciler, with the key endpoints registered. */
export async function sealedSecretFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const keys = controllerKeysFor(cfg);
  const pool = createDecryptPool();
  const decrypt = pool ? pool.decrypt.bind(pool) : undefined;
  registerKeyEndpoints(deps.http, keys, decrypt ? { decrypt } : {});
  return sealedSecretReconciler(keys, decrypt);
}

/** The AgeSecret reconciler. */
export async function ageSecretFactory(cfg: ControllerConfig): Promise<Reconciler> {
  return ageSecretReconciler(controllerKeysFor(cfg));
}
