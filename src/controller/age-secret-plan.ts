/**
 * The AgeSecret side of the planner: how a `sealbridge.io/v1alpha1 AgeSecret` becomes an
 * EncryptedSource, and how its values are opened with the controller's age identities, each
 * value's scope envelope checked against where the object lives.
 */
import { AGE_SECRET_API_VERSION, AGE_SECRET_KIND } from "../api/age-secret.js";
import type { AgeSecret } from "../api/age-secret.js";
import { decryptAgeValue } from "../crypto/age-envelope.js";
import { sourceTemplate } from "./secret-plan.js";
import type { EncryptedSource, Unsealed } from "./secret-plan.js";

/** The planner's view of a parsed AgeSecret living at `namespace/name`. */
export function ageSecretSource(as: AgeSecret, namespace: string, name: string, uid: string | undefined): EncryptedSource {
  const tmpl = as.spec.template;
  return {
    apiVersion: AGE_SECRET_API_VERSION,
    kind: AGE_SECRET_KIND,
    name,
    namespace,
    uid,
    encryptedKeys: Object.keys(as.spec.encryptedData),
    encryptedData: as.spec.encryptedData,
    template: sourceTemplate(tmpl),
    // The scope is inside each value's envelope, not in annotations.
    scopeAnnotations: {},
  };
}

/** Opens every value of an AgeSecret; never throws, and a failure never holds a value. */
export async function unsealAgeSecret(as: AgeSecret, namespace: string, name: string, identities: string[]): Promise<Unsealed> {
  if (identities.length === 0) return { ok: false, message: "no age identity is loaded (check the controller's age identity Secret)" };
  const values = new Map<string, Buffer>();
  for (const [key, armored] of Object.entries(as.spec.encryptedData)) {
    try {
      values.set(key, Buffer.from(await decryptAgeValue(armored, identities, namespace, name, `key "${key}"`)));
    } catch (err) {
      const message = err instanceof Error && (err.name === "DecryptError" || err.name === "InputError") ? err.message : `key "${key}": cannot decrypt`;
      return { ok: false, message };
    }
  }
  return { ok: true, values };
}
