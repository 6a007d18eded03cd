/**
 * The AgeSecret kind: `sealbridge.io/v1alpha1 AgeSecret` → Secret of the same namespace/name,
 * opened with the controller's age identities and checked against each value's scope envelope.
 * Same planner as SealedSecrets (encrypted-secret/), with metav1 conditions (Synced and Ready).
 */
import { ageSecretResource, parseAgeSecret } from "../../api/age-secret.js";
import type { AgeSecret } from "../../api/age-secret.js";
import { isSealbridgeError } from "../../errors.js";
import type { ControllerConfig } from "../config.js";
import { encryptedSecretKind } from "../encrypted-secret/kind.js";
import type { EncryptedObserved, ParsedEncrypted } from "../encrypted-secret/kind.js";
import { decryptingKeys, followedKeys } from "../encrypted-secret/followed-keys.js";
import type { ControllerKeys } from "../keys/controller-keys.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import type { KindDefinition } from "../runtime/kind.js";
import type { Reconciler } from "../types.js";
import { openAgeSecretValues } from "./observe.js";
import { ageSecretSource } from "./plan.js";

/** The AgeSecret kind; `stop` ends what the kind holds (the key timers). */
export function ageSecretKind(keys: ControllerKeys, stop?: () => Promise<void> | void): KindDefinition<ParsedEncrypted<AgeSecret>, EncryptedObserved> {
  return encryptedSecretKind<AgeSecret>({
    name: "agesecret",
    resource: ageSecretResource,
    statusShape: "conditions",
    parse(obj) {
      try {
        return { ok: true, value: parseAgeSecret(obj, `${obj.metadata.namespace}/${obj.metadata.name}`) };
      } catch (err) {
        return { ok: false, message: isSealbridgeError(err) ? err.message : "invalid AgeSecret" };
      }
    },
    source: ageSecretSource,
    open: (as, namespace, name) => openAgeSecretValues(as, namespace, name, keys.ageIdentities),
    keys: decryptingKeys(keys),
    stop,
  });
}

/** The AgeSecret reconciler (the kind run by the kit). */
export function ageSecretReconciler(keys: ControllerKeys, stop?: () => Promise<void> | void): Reconciler {
  return kindReconciler(ageSecretKind(keys, stop));
}

/** The AgeSecret reconciler for `sealbridge controller`. */
export async function ageSecretFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const keys = followedKeys(cfg, deps);
  return ageSecretReconciler(keys, () => keys.stop());
}
