/**
 * The bootstrap ClusterRoles a fresh cluster has that manifests commonly bind to
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings):
 * cluster-admin (+ its binding to system:masters), admin, edit, view (condensed to the resources
 * this server serves), and as in plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go:
 * system:auth-delegator (tokenreviews + subjectaccessreviews create; what Vault's Kubernetes auth
 * reviewer is bound to) and system:basic-user (the self reviews behind `kubectl auth can-i` and
 * `kubectl auth whoami`) bound to every authenticated user.
 */
import type { KubeObject } from "../../../src/kube/types.js";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const CORE_READ = ["configmaps", "endpoints", "events", "pods", "pods/log", "pods/status", "serviceaccounts", "services", "services/status", "namespaces", "namespaces/status"];
const APPS = ["daemonsets", "deployments", "statefulsets", "replicasets", "deployments/scale", "statefulsets/scale", "daemonsets/status", "deployments/status", "statefulsets/status"];
const LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };

function role(name: string, rules: Record<string, unknown>[]): KubeObject {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels: LABELS }, rules };
}

function binding(name: string, subject: Record<string, string>): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name, labels: LABELS },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", ...subject }],
  };
}

const view = [
  { apiGroups: [""], resources: CORE_READ, verbs: READ },
  { apiGroups: ["apps"], resources: APPS, verbs: READ },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: READ },
];
const edit = [
  ...view,
  { apiGroups: [""], resources: ["secrets"], verbs: READ },
  { apiGroups: [""], resources: ["configmaps", "events", "pods", "secrets", "serviceaccounts", "services"], verbs: WRITE },
  { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
  { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "statefulsets", "replicasets", "deployments/scale", "statefulsets/scale"], verbs: WRITE },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: WRITE },
];

/** The ClusterRoles and ClusterRoleBindings to seed, in creation order. */
export function bootstrapPolicy(): { clusterRoles: KubeObject[]; clusterRoleBindings: KubeObject[] } {
  return {
    clusterRoles: [
      role("cluster-admin", [
        { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
        { nonResourceURLs: ["*"], verbs: ["*"] },
      ]),
      role("admin", [...edit, { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: [...READ, ...WRITE] }]),
      role("edit", edit),
      role("view", view),
      role("system:auth-delegator", [
        { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
        { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
      ]),
      role("system:basic-user", [
        { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], verbs: ["create"] },
        { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
      ]),
    ],
    clusterRoleBindings: [
      binding("cluster-admin", { kind: "Group", name: "system:masters" }),
      binding("system:basic-user", { kind: "Group", name: "system:authenticated" }),
    ],
  };
}
