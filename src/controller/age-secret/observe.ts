/**
 * What an AgeSecret pass reads: its values opened with the controller's age identities, each
 * value's scope envelope checked against where the object lives.
 */
import type { AgeSecret } from "../../api/age-secret.js";
import { decryptAgeValue } from "../../crypto/age-envelope.js";
import { DecryptError, InputError } from "../../errors.js";
import type { Unsealed } from "../encrypted-secret/secret-plan.js";

/** Opens every value of an AgeSecret; never throws, and a failure never holds a value. */
export async function openAgeSecretValues(as: AgeSecret, namespace: string, name: string, identities: string[]): Promise<Unsealed> {
  if (identities.length === 0) return { ok: false, message: "no age identity is loaded (check the controller's age identity Secret)" };
  const values = new Map<string, Buffer>();
  for (const [key, armored] of Object.entries(as.spec.encryptedData)) {
    try {
      values.set(key, Buffer.from(await decryptAgeValue(armored, identities, namespace, name, `key "${key}"`)));
    } catch (err) {
      const message = err instanceof DecryptError || err instanceof InputError ? err.message : `key "${key}": cannot decrypt`;
      return { ok: false, message };
    }
  }
  return { ok: true, values };
}
