/**
 * The bodies of the two token endpoints: `serviceaccounts/<name>/token` (TokenRequest,
 * https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/)
 * and `tokenreviews` (https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/).
 * HTTP-free: the resource handler parses the request and writes what these return.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { TokenAuthority } from "./auth.js";
import { kubeTime } from "./object-meta.js";
import { invalid, invalidValue } from "./status.js";

interface TokenRequestBody {
  spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind: string; name: string; uid?: string } };
}

/**
 * Issues a token for an existing ServiceAccount (`sa`); returns the TokenRequest to answer 201 with.
 * @throws ApiError 422 for expirationSeconds below 10 minutes or above 2^32 seconds.
 */
export function tokenRequestResponse(tokens: TokenAuthority, sa: KubeObject, body: unknown): Record<string, unknown> {
  const name = sa.metadata.name ?? "";
  const namespace = sa.metadata.namespace ?? "";
  const spec = ((body ?? {}) as TokenRequestBody).spec ?? {};
  const exp = spec.expirationSeconds ?? 3600;
  const tr = { group: "authentication.k8s.io", kind: "TokenRequest" };
  if (exp < 600) throw invalid(tr, name, [invalidValue("spec.expirationSeconds", exp, "may not specify a duration less than 10 minutes")]);
  if (exp > 2 ** 32) throw invalid(tr, name, [invalidValue("spec.expirationSeconds", exp, "may not specify a duration larger than 2^32 seconds")]);
  const bound = spec.boundObjectRef;
  const issued = tokens.issue(namespace, name, sa.metadata.uid ?? "", {
    audiences: spec.audiences,
    expirationSeconds: exp,
    boundObject: bound ? { kind: bound.kind, name: bound.name, uid: bound.uid ?? "" } : undefined,
  });
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences: spec.audiences && spec.audiences.length > 0 ? spec.audiences : [tokens.issuer], expirationSeconds: exp, boundObjectRef: bound ?? null },
    status: { token: issued.token, expirationTimestamp: kubeTime(issued.expirationTimestamp) },
  };
}

/**
 * Reviews `spec.token` for `spec.audiences`; returns the TokenReview to answer 201 with.
 * @throws ApiError 422 when spec.token is missing.
 */
export function tokenReviewResponse(tokens: TokenAuthority, body: unknown): Record<string, unknown> {
  const b = (body ?? {}) as { metadata?: Record<string, unknown>; spec?: { token?: string; audiences?: string[] } };
  const token = b.spec?.token;
  if (!token) {
    throw invalid({ group: "authentication.k8s.io", kind: "TokenReview" }, "", [{ reason: "FieldValueRequired", field: "spec.token", message: "Required value" }]);
  }
  return {
    kind: "TokenReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: null, ...b.metadata },
    spec: b.spec,
    status: tokens.review(token, b.spec?.audiences),
  };
}
