/**
 * Re-encrypting SealedSecrets to the newest key, two ways: offline with local private keys and
 * the newest certificate (values already sealed to that certificate are left alone, so a
 * re-run changes nothing), or through the controller's `POST /v1/rotate`, as kubeseal does.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { sealedSecretSchema, type SealedSecret } from "../api/sealed-secret.js";
import { hybridDecrypt } from "../crypto/hybrid-encryption.js";
import { DecryptError, RemoteError } from "../errors.js";
import type { ControllerProxy } from "./controller-proxy.js";
import { reencryptSealedSecret, sealedSecretLabel } from "./sealed-secret-opener.js";

/** Re-encrypts one SealedSecret; returns `null` when it is already sealed to the newest key. */
export type Reencryptor = (sealed: SealedSecret, source: string) => Promise<SealedSecret | null>;

function sameKey(publicKey: KeyObject, privateKey: KeyObject): boolean {
  return createPublicKey(privateKey).equals(publicKey);
}

/** True when every value opens with `newest` alone (so it was sealed to the newest key). */
function sealedToNewest(sealed: SealedSecret, newest: KeyObject, source: string): boolean {
  if (sealed.spec.data) return false;
  const label = sealedSecretLabel(sealed, source);
  try {
    for (const value of Object.values(sealed.spec.encryptedData ?? {})) hybridDecrypt([newest], label, Buffer.from(value, "base64"));
    return true;
  } catch (err) {
    if (err instanceof DecryptError) return false;
    throw err;
  }
}

/**
 * An offline re-encryptor: opens with any of `privateKeys`, seals to `publicKey`.
 * Values already sealed to `publicKey` (when its private key is among `privateKeys`) are skipped.
 */
export function offlineReencryptor(privateKeys: readonly KeyObject[], publicKey: KeyObject): Reencryptor {
  const newest = privateKeys.find((key) => sameKey(publicKey, key));
  return async (sealed, source) => {
    if (newest && sealedToNewest(sealed, newest, source)) return null;
    return reencryptSealedSecret(sealed, privateKeys, publicKey, source);
  };
}

/**
 * A re-encryptor that asks the controller (`POST /v1/rotate`); the plaintext stays in the cluster.
 * @throws RemoteError (from the returned function) when the controller refuses or answers nonsense.
 */
export function controllerReencryptor(proxy: ControllerProxy): Reencryptor {
  return async (sealed, source) => {
    const answer = await proxy.request("POST", "/v1/rotate", JSON.stringify(sealed));
    if (answer.status !== 200) {
      throw new RemoteError(`cannot re-encrypt ${source}: the controller answered HTTP ${answer.status} (it cannot decrypt it: check its scope and name, or the controller's keys)`, {
        status: answer.status,
        code: "RotateFailed",
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body.toString("utf8"));
    } catch (err) {
      throw new RemoteError(`cannot re-encrypt ${source}: the controller's answer is not JSON (check the controller version)`, { cause: err, code: "RotateFailed" });
    }
    const result = sealedSecretSchema.safeParse(parsed);
    if (!result.success) throw new RemoteError(`cannot re-encrypt ${source}: the controller's answer is not a SealedSecret (check the controller version)`, { code: "RotateFailed" });
    // Keep the file's own metadata and template; take the new ciphertexts only.
    const spec: Record<string, unknown> = { ...sealed.spec, encryptedData: result.data.spec.encryptedData ?? {} };
    delete spec["data"];
    return { ...sealed, spec } as SealedSecret;
  };
}
