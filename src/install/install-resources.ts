/**
 * The resource of every kind `install --export` prints, and the order `uninstall` removes them in.
 */
import type { KubeObject, ResourceRef } from "../kube/types.js";

const RBAC = "rbac.authorization.k8s.io";

/** Every installed kind, in apply order. */
export const INSTALL_RESOURCES: readonly ResourceRef[] = [
  { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false },
  { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false },
  { group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true },
  { group: RBAC, version: "v1", plural: "clusterroles", kind: "ClusterRole", namespaced: false },
  { group: RBAC, version: "v1", plural: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false },
  { group: RBAC, version: "v1", plural: "roles", kind: "Role", namespaced: true },
  { group: RBAC, version: "v1", plural: "rolebindings", kind: "RoleBinding", namespaced: true },
  { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true },
  { group: "", version: "v1", plural: "services", kind: "Service", namespaced: true },
  { group: "monitoring.coreos.com", version: "v1", plural: "servicemonitors", kind: "ServiceMonitor", namespaced: true },
  { group: "monitoring.coreos.com", version: "v1", plural: "prometheusrules", kind: "PrometheusRule", namespaced: true },
];

/**
 * The resource of an installed object.
 * @throws Error for a kind install does not make (a bug in the generator).
 */
export function resourceOf(obj: KubeObject): ResourceRef {
  const [group, version] = (obj.apiVersion ?? "").includes("/") ? (obj.apiVersion ?? "").split("/") : ["", obj.apiVersion ?? ""];
  const res = INSTALL_RESOURCES.find((r) => r.kind === obj.kind && r.group === group && r.version === version);
  if (!res) throw new Error(`no resource for ${obj.apiVersion ?? ""} ${obj.kind ?? ""}: src/install/install-resources.ts (add it)`);
  return res;
}

/** `deployment.apps/name`, as kubectl names objects. */
export function objectLabel(res: ResourceRef, name: string): string {
  return `${res.kind.toLowerCase()}${res.group === "" ? "" : `.${res.group}`}/${name}`;
}
