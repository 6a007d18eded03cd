/**
 * `sealbridge.io/v1alpha1 AgeSecret` → Secret of the same namespace/name, opened with the
 * controller's age identities and checked against each value's scope envelope. Same shell and
 * rules as the SealedSecret reconciler.
 */
import { ageSecretResource, parseAgeSecret } from "../api/age-secret.js";
import type { AgeSecret } from "../api/age-secret.js";
import { ageSecretSource, unsealAgeSecret } from "./age-secret-plan.js";
import { EncryptedSecretReconciler } from "./encrypted-secret-reconciler.js";
import type { EncryptedKind, EncryptedSecretOptions } from "./encrypted-secret-reconciler.js";
import type { ControllerKeys } from "./keys/controller-keys.js";

/** The AgeSecret kind for the shared shell. */
export function ageSecretKind(keys: ControllerKeys): EncryptedKind<AgeSecret> {
  return {
    name: "agesecret",
    resource: ageSecretResource,
    statusStyle: "metav1",
    parse(obj) {
      try {
        return { ok: true, value: parseAgeSecret(obj, `${obj.metadata.namespace}/${obj.metadata.name}`) };
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : "invalid AgeSecret" };
      }
    },
    source: ageSecretSource,
    unseal: (as, namespace, name) => unsealAgeSecret(as, namespace, name, keys.ageIdentities),
    start: (ctx) => keys.start(ctx.kube, ctx.clock, ctx.log, ctx.isLeader),
    keyVersion: () => keys.version,
  };
}

/** The AgeSecret reconciler. */
export function ageSecretReconciler(keys: ControllerKeys, options: EncryptedSecretOptions = {}): EncryptedSecretReconciler<AgeSecret> {
  return new EncryptedSecretReconciler(ageSecretKind(keys), options);
}
