/**
 * The pure side of a SealedSecret: how a `bitnami.com/v1alpha1 SealedSecret` becomes the
 * planner's EncryptedSource (the Secret it makes is planned by encrypted-secret/secret-plan.ts).
 */
import { SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND } from "../../api/sealed-secret.js";
import type { SealedSecret } from "../../api/sealed-secret.js";
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION } from "../../crypto/scope.js";
import { sourceTemplate } from "../encrypted-secret/secret-plan.js";
import type { EncryptedSource } from "../encrypted-secret/secret-plan.js";

function scopeAnnotationsOf(annotations: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [NAMESPACE_WIDE_ANNOTATION, CLUSTER_WIDE_ANNOTATION]) {
    const v = annotations?.[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The planner's view of a parsed SealedSecret living at `namespace/name`. */
export function sealedSecretSource(ss: SealedSecret, namespace: string, name: string, uid: string | undefined): EncryptedSource {
  const encryptedData = ss.spec.encryptedData ?? {};
  const tmpl = ss.spec.template;
  return {
    apiVersion: SEALED_SECRET_API_VERSION,
    kind: SEALED_SECRET_KIND,
    name,
    namespace,
    uid,
    encryptedKeys: Object.keys(encryptedData),
    encryptedData,
    template: sourceTemplate(tmpl),
    scopeAnnotations: scopeAnnotationsOf(ss.metadata?.annotations),
  };
}
