/**
 * The pure side of an AgeSecret: how a `sealbridge.io/v1alpha1 AgeSecret` becomes the planner's
 * EncryptedSource (the Secret it makes is planned by encrypted-secret/secret-plan.ts).
 */
import { AGE_SECRET_API_VERSION, AGE_SECRET_KIND } from "../../api/age-secret.js";
import type { AgeSecret } from "../../api/age-secret.js";
import { sourceTemplate } from "../encrypted-secret/secret-plan.js";
import type { EncryptedSource } from "../encrypted-secret/secret-plan.js";

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
