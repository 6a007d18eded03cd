/**
 * `bitnami.com/v1alpha1 SealedSecret` → Secret of the same namespace/name, as the sealed-secrets
 * controller does it (see encrypted-secret-reconciler.ts for the shell, secret-plan.ts for the
 * rules, sealed-secret-plan.ts for decryption).
 */
import { SEALED_SECRET_KIND, sealedSecretSchema } from "../api/sealed-secret.js";
import type { SealedSecret } from "../api/sealed-secret.js";
import { hybridDecrypt } from "../crypto/hybrid-encryption.js";
import type { ResourceRef } from "../kube/types.js";
import { EncryptedSecretReconciler } from "./encrypted-secret-reconciler.js";
import type { EncryptedKind, EncryptedSecretOptions } from "./encrypted-secret-reconciler.js";
import type { ControllerKeys } from "./keys/controller-keys.js";
import { sealedSecretSource, unsealSealedSecret } from "./sealed-secret-plan.js";
import type { HybridDecryptFn } from "./sealed-secret-plan.js";

export const SEALED_SECRETS: ResourceRef = { group: "bitnami.com", version: "v1alpha1", plural: "sealedsecrets", kind: SEALED_SECRET_KIND, namespaced: true };

/** The SealedSecret kind for the shared shell; `decrypt` defaults to in-thread hybridDecrypt. */
export function sealedSecretKind(keys: ControllerKeys, decrypt: HybridDecryptFn = hybridDecrypt): EncryptedKind<SealedSecret> {
  return {
    name: "sealedsecret",
    resource: SEALED_SECRETS,
    statusStyle: "sealed-secrets",
    parse(obj) {
      const result = sealedSecretSchema.safeParse(obj);
      if (result.success) return { ok: true, value: result.data };
      const issue = result.error.issues[0];
      return { ok: false, message: `invalid SealedSecret: ${issue?.path.map(String).join(".") || "(root)"}: ${issue?.message ?? "invalid"} (fix the manifest)` };
    },
    source: sealedSecretSource,
    unseal: (ss, namespace, name) => unsealSealedSecret(ss, namespace, name, keys.privateKeys, decrypt),
    start: (ctx) => keys.start(ctx.kube, ctx.clock, ctx.log, ctx.isLeader),
    keyVersion: () => keys.version,
  };
}

/** The SealedSecret reconciler. */
export function sealedSecretReconciler(keys: ControllerKeys, decrypt?: HybridDecryptFn, options: EncryptedSecretOptions = {}): EncryptedSecretReconciler<SealedSecret> {
  return new EncryptedSecretReconciler(sealedSecretKind(keys, decrypt), options);
}
