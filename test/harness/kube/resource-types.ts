/**
 * The resource types the Kubernetes test server serves: built-ins below, plus one entry per
 * established CRD version (added at run time by the CRD handler). Discovery, OpenAPI, routing,
 * RBAC and Table output all read this one registry.
 */

export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lower-case plural, the URL segment. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served, e.g. ["status"], ["token"], ["proxy"]. */
  subresources: string[];
  /** True for kinds from CRDs (no strategic merge patch, schema from the CRD). */
  custom: boolean;
  /** For custom resources: whether this version is the storage version. */
  storage?: boolean;
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceType, "shortNames" | "subresources" | "verbs" | "categories">> = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: extra.shortNames ?? [],
    categories: extra.categories ?? [],
    verbs: extra.verbs ?? ALL_VERBS,
    subresources: extra.subresources ?? [],
    custom: false,
  };
}

/** Built-in kinds sealbridge and kubectl touch. */
export const BUILTIN_RESOURCE_TYPES: readonly ResourceType[] = [
  builtin("", "v1", "Namespace", "namespaces", false, { shortNames: ["ns"], subresources: ["status", "finalize"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] }),
  builtin("", "v1", "Secret", "secrets", true),
  builtin("", "v1", "ConfigMap", "configmaps", true, { shortNames: ["cm"] }),
  builtin("", "v1", "Event", "events", true, { shortNames: ["ev"] }),
  builtin("", "v1", "Pod", "pods", true, { shortNames: ["po"], categories: ["all"], subresources: ["status", "proxy"] }),
  builtin("", "v1", "ServiceAccount", "serviceaccounts", true, { shortNames: ["sa"], subresources: ["token"] }),
  builtin("", "v1", "Service", "services", true, { shortNames: ["svc"], categories: ["all"], subresources: ["status", "proxy"] }),
  builtin("apps", "v1", "Deployment", "deployments", true, { shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"] }),
  builtin("apps", "v1", "StatefulSet", "statefulsets", true, { shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"] }),
  builtin("apps", "v1", "DaemonSet", "daemonsets", true, { shortNames: ["ds"], categories: ["all"], subresources: ["status"] }),
  builtin("coordination.k8s.io", "v1", "Lease", "leases", true),
  builtin("events.k8s.io", "v1", "Event", "events", true, { shortNames: ["ev"] }),
  builtin("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
  builtin("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
  builtin("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
  builtin("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false),
  builtin("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", false, { verbs: ["create"] }),
  builtin("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false, { verbs: ["create"] }),
  builtin("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, { verbs: ["create"] }),
  builtin("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false, { verbs: ["create"] }),
  builtin("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", true, { verbs: ["create"] }),
  builtin("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, { shortNames: ["crd", "crds"], subresources: ["status"] }),
];

/** The apiVersion string of a type: "v1" or "group/version". */
export function apiVersionOf(t: Pick<ResourceType, "group" | "version">): string {
  return t.group === "" ? t.version : `${t.group}/${t.version}`;
}
