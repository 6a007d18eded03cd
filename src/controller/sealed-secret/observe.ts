/**
 * What a SealedSecret pass reads: its values opened with the controller's RSA keys under the
 * scope label its annotations select (sealed-secrets' `Unseal`), in the decrypt pool.
 */
import type { KeyObject } from "node:crypto";
import type { SealedSecret } from "../../api/sealed-secret.js";
import { scopeFromAnnotations, scopeLabel } from "../../crypto/scope.js";
import { compactBase64, isBase64 } from "../../base64.js";
import { DecryptError } from "../../errors.js";
import type { Unsealed } from "../encrypted-secret/secret-plan.js";

/** Opens one hybrid ciphertext with any of `keys` under `label`; rejects with a DecryptError. */
export type HybridDecryptFn = (keys: readonly KeyObject[], label: string, ciphertext: Buffer) => Promise<Buffer> | Buffer;


class NotBase64 extends Error {}

/**
 * Opens every value of a SealedSecret. Never throws: a failure names the key and why, never a
 * value. The deprecated whole-Secret `spec.data` format is refused with a clear message.
 */
export async function openSealedSecretValues(
  ss: SealedSecret,
  namespace: string,
  name: string,
  keys: readonly KeyObject[],
  decrypt: HybridDecryptFn,
): Promise<Unsealed> {
  const encrypted = ss.spec.encryptedData ?? {};
  if (Object.keys(encrypted).length === 0 && ss.spec.data) {
    return { ok: false, message: "spec.data (the deprecated v1 format) is not supported (re-seal with sealbridge seal or a current kubeseal)" };
  }
  if (keys.length === 0) return { ok: false, message: "no sealing key is loaded (check the controller's key Secrets)" };
  const label = scopeLabel(scopeFromAnnotations(ss.metadata?.annotations), namespace, name);
  const entries = Object.entries(encrypted);
  const results = await Promise.allSettled(
    entries.map(async ([, b64]) => {
      const compact = compactBase64(b64);
      if (!isBase64(compact)) throw new NotBase64();
      return decrypt(keys, label, Buffer.from(compact, "base64"));
    }),
  );
  const values = new Map<string, Buffer>();
  for (let i = 0; i < entries.length; i++) {
    const result = results[i];
    const key = entries[i]?.[0] ?? "";
    if (result?.status === "fulfilled") {
      values.set(key, result.value);
      continue;
    }
    const err: unknown = result?.reason;
    const reason =
      err instanceof NotBase64 ? "the value is not base64" : err instanceof DecryptError ? err.message : "cannot decrypt";
    return { ok: false, message: `key "${key}": ${reason}` };
  }
  return { ok: true, values };
}
