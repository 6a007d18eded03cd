/**
 * The review endpoints kubectl and in-cluster components call to ask the authorizer:
 * authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview,
 * LocalSubjectAccessReview
 * (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access)
 * and authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`,
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#self-subject-review).
 * Answers follow pkg/registry/authorization/*subjectaccessreview/rest.go: spec echoed, status
 * `allowed` with the RBAC authorizer's reason. HTTP-free: the resource handler writes them.
 */
import type { UserInfo } from "./auth.js";
import { authorizeWithReason, type RbacSource, type RequestAttributes } from "./rbac.js";
import { badRequest, invalid, invalidValue, type Cause } from "./status.js";

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** Which review: the kind, and for a LocalSubjectAccessReview the namespace of the request path. */
export type AccessReviewKind =
  | { kind: "SelfSubjectAccessReview" }
  | { kind: "SubjectAccessReview" }
  | { kind: "LocalSubjectAccessReview"; namespace: string };

function specOf(body: unknown): ReviewSpec {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was in an unknown format");
  const spec = (body as { spec?: unknown }).spec ?? {};
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) throw badRequest("the body of the request was in an unknown format");
  return spec as ReviewSpec;
}

/** pkg/apis/authorization/validation: ValidateSubjectAccessReviewSpec and friends. */
function specErrors(review: AccessReviewKind, spec: ReviewSpec): Cause[] {
  const out: Cause[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    out.push(invalidValue("spec.nonResourceAttributes", spec.nonResourceAttributes, "cannot be specified in combination with resourceAttributes"));
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    out.push(invalidValue("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
  }
  if (review.kind !== "SelfSubjectAccessReview" && !spec.user && (spec.groups ?? []).length === 0) {
    out.push(invalidValue("spec.user", spec.user ?? "", "at least one of user or group must be specified"));
  }
  if (review.kind === "LocalSubjectAccessReview" && spec.resourceAttributes && (spec.resourceAttributes.namespace ?? "") !== review.namespace) {
    out.push(invalidValue("spec.resourceAttributes.namespace", spec.resourceAttributes.namespace ?? "", "must match metadata.namespace"));
  }
  return out;
}

function attributesOf(spec: ReviewSpec): RequestAttributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      resourceRequest: true, verb: r.verb ?? "", apiGroup: r.group ?? "", resource: r.resource ?? "",
      subresource: r.subresource || undefined, namespace: r.namespace || undefined, name: r.name || undefined,
    };
  }
  return { resourceRequest: false, verb: spec.nonResourceAttributes?.verb ?? "", path: spec.nonResourceAttributes?.path ?? "" };
}

/**
 * Answers an access review: for a SelfSubjectAccessReview the subject is `caller` (after
 * impersonation), otherwise `spec.user`/`spec.groups`. Returns the body to answer 201 with.
 * @throws ApiError 400 for a body that is not an object, 422 for an invalid spec.
 */
export function accessReviewResponse(review: AccessReviewKind, body: unknown, caller: UserInfo, rbac: RbacSource): Record<string, unknown> {
  const spec = specOf(body);
  const causes = specErrors(review, spec);
  if (causes.length > 0) throw invalid({ group: "authorization.k8s.io", kind: review.kind }, "", causes);
  const subject: UserInfo =
    review.kind === "SelfSubjectAccessReview"
      ? caller
      : { username: spec.user ?? "", uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
  const decision = authorizeWithReason(subject, attributesOf(spec), rbac);
  const echoed: ReviewSpec =
    review.kind === "SelfSubjectAccessReview"
      ? { ...(spec.resourceAttributes ? { resourceAttributes: spec.resourceAttributes } : {}), ...(spec.nonResourceAttributes ? { nonResourceAttributes: spec.nonResourceAttributes } : {}) }
      : spec;
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason !== "") status["reason"] = decision.reason;
  const meta: Record<string, unknown> = { creationTimestamp: null };
  if (review.kind === "LocalSubjectAccessReview") meta["namespace"] = review.namespace;
  return { kind: review.kind, apiVersion: "authorization.k8s.io/v1", metadata: meta, spec: echoed, status };
}

/** Answers a SelfSubjectReview: who the caller is (after impersonation). Never throws. */
export function selfSubjectReviewResponse(caller: UserInfo): Record<string, unknown> {
  const userInfo: Record<string, unknown> = { username: caller.username };
  if (caller.uid !== undefined && caller.uid !== "") userInfo["uid"] = caller.uid;
  userInfo["groups"] = caller.groups;
  if (caller.extra !== undefined && Object.keys(caller.extra).length > 0) userInfo["extra"] = caller.extra;
  return { kind: "SelfSubjectReview", apiVersion: "authentication.k8s.io/v1", metadata: { creationTimestamp: null }, status: { userInfo } };
}
