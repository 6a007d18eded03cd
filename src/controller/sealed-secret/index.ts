/**
 * The SealedSecret kind: `bitnami.com/v1alpha1 SealedSecret` → Secret of the same
 * namespace/name, as the sealed-secrets controller does it, with its status shape (`Synced`).
 * plan.ts maps the object, observe.ts decrypts, encrypted-secret/ holds the shared planner; the
 * factory registers the key endpoints on the main HTTP server.
 */
import { sealedSecretResource, sealedSecretSchema } from "../../api/sealed-secret.js";
import type { SealedSecret } from "../../api/sealed-secret.js";
import { createDecryptPool } from "../../crypto/decrypt-pool.js";
import { hybridDecrypt } from "../../crypto/hybrid-encryption.js";
import type { ResourceRef } from "../../kube/types.js";
import { formatZodIssue } from "../../zod-issues.js";
import type { ControllerConfig } from "../config.js";
import { encryptedSecretKind } from "../encrypted-secret/kind.js";
import type { EncryptedObserved, ParsedEncrypted, UnsealObserver } from "../encrypted-secret/kind.js";
import { decryptingKeys, followedKeys, unsealObserver } from "../encrypted-secret/followed-keys.js";
import type { ControllerKeys } from "../keys/controller-keys.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import type { KindDefinition } from "../runtime/kind.js";
import type { Reconciler } from "../types.js";
import { registerKeyEndpoints } from "./key-endpoints.js";
import { openSealedSecretValues } from "./observe.js";
import type { HybridDecryptFn } from "./observe.js";
import { sealedSecretSource } from "./plan.js";

/** The SealedSecret collection (src/api/sealed-secret.ts). */
export const SEALED_SECRETS: ResourceRef = sealedSecretResource;

/** What the kind uses besides the keys. */
export interface SealedSecretKindOptions {
  /** Opens one value; default in-thread hybridDecrypt. */
  decrypt?: HybridDecryptFn | undefined;
  observer?: UnsealObserver | undefined;
  /** Called once at shutdown (decrypt pool, key timers). */
  stop?: (() => Promise<void> | void) | undefined;
}

/** The SealedSecret kind. */
export function sealedSecretKind(keys: ControllerKeys, options: SealedSecretKindOptions = {}): KindDefinition<ParsedEncrypted<SealedSecret>, EncryptedObserved> {
  const decrypt = options.decrypt ?? hybridDecrypt;
  return encryptedSecretKind<SealedSecret>({
    name: "sealedsecret",
    resource: SEALED_SECRETS,
    statusShape: "sealed-secrets",
    parse(obj) {
      const result = sealedSecretSchema.safeParse(obj);
      if (result.success) return { ok: true, value: result.data };
      return { ok: false, message: `invalid SealedSecret: ${formatZodIssue(result.error.issues[0])} (fix the manifest)` };
    },
    source: sealedSecretSource,
    open: (ss, namespace, name) => openSealedSecretValues(ss, namespace, name, keys.privateKeys, decrypt),
    keys: decryptingKeys(keys, "sealing"),
    observer: options.observer,
    stop: options.stop,
  });
}

/** The SealedSecret reconciler (the kind run by the kit). */
export function sealedSecretReconciler(keys: ControllerKeys, options: SealedSecretKindOptions = {}): Reconciler {
  return kindReconciler(sealedSecretKind(keys, options));
}

/** The SealedSecret reconciler for `sealbridge controller`, with the key endpoints registered. */
export async function sealedSecretFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const keys = followedKeys(cfg, deps);
  const pool = createDecryptPool();
  const decrypt = pool ? pool.decrypt.bind(pool) : undefined;
  const limit = cfg.verifyRateLimit;
  registerKeyEndpoints(deps.http, keys, { ratePerSecond: limit.perSecond, burst: limit.burst, ...(decrypt ? { decrypt } : {}) });
  return sealedSecretReconciler(keys, {
    decrypt,
    observer: unsealObserver(deps),
    stop: async () => {
      await keys.stop();
      await pool?.close();
    },
  });
}
