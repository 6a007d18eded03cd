/**
 * The RBAC authorizer (https://kubernetes.io/docs/reference/access-authn-authz/rbac/), following
 * plugin/pkg/auth/authorizer/rbac in kubernetes/kubernetes: a request is allowed when some
 * ClusterRoleBinding, or RoleBinding in the request's namespace, binds a subject matching the
 * user to a role with a rule covering the request. `*` wildcards, `resource/subresource`,
 * `*\/subresource`, resourceNames and nonResourceURLs (with a trailing `*` prefix match) as there;
 * ClusterRole aggregationRule (matchLabels) is resolved at check time. system:masters may do
 * anything; discovery and health paths are open as the bootstrap roles system:discovery and
 * system:public-info-viewer make them; the self reviews (can-i, whoami) come from the seeded
 * system:basic-user binding (bootstrap-policy.ts).
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { UserInfo } from "./auth.js";

/** What is being asked (the authorizer.Attributes of a request). */
export type RequestAttributes =
  | { resourceRequest: true; verb: string; apiGroup: string; resource: string; subresource?: string; namespace?: string; name?: string }
  | { resourceRequest: false; verb: string; path: string };

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** Reads the RBAC objects the authorizer needs. */
export interface RbacSource {
  clusterRoles(): KubeObject[];
  clusterRoleBindings(): KubeObject[];
  roles(namespace: string): KubeObject[];
  roleBindings(namespace: string): KubeObject[];
}

const PUBLIC_PATHS = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
const DISCOVERY_PATHS = ["/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", ...PUBLIC_PATHS];

/** Stored RBAC objects are client input: anything that is not a list counts as empty. */
function arr<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function has(list: string[] | undefined, v: string): boolean {
  const l = arr<string>(list);
  return l.includes("*") || l.includes(v);
}

function urlMatches(patterns: string[] | undefined, path: string): boolean {
  return arr<string>(patterns).some((p) => p === "*" || p === path || (p.endsWith("*") && path.startsWith(p.slice(0, -1))));
}

/** True when one rule covers the request (RuleAllows in the real authorizer). */
export function ruleAllows(a: RequestAttributes, rule: PolicyRule): boolean {
  if (rule === null || typeof rule !== "object") return false;
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return urlMatches(rule.nonResourceURLs, a.path);
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = arr<string>(rule.resources);
  const resOk = resources.some((r) => r === "*" || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`));
  if (!resOk) return false;
  const names = arr<string>(rule.resourceNames);
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (s === null || typeof s !== "object") return false;
  switch (s.kind) {
    case "User":
      return s.name === user.username;
    case "Group":
      return s.name !== undefined && user.groups.includes(s.name);
    case "ServiceAccount": {
      const ns = s.namespace ?? bindingNamespace ?? "";
      return user.username === `system:serviceaccount:${ns}:${s.name ?? ""}`;
    }
    default:
      return false;
  }
}

function labelsMatch(sel: { matchLabels?: Record<string, string> }, labels: Record<string, string>): boolean {
  return Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function clusterRoleRules(name: string, src: RbacSource): PolicyRule[] {
  const all = src.clusterRoles();
  const role = all.find((r) => r.metadata.name === name);
  if (!role) return [];
  const rules = [...arr<PolicyRule>(role["rules"])];
  const agg = role["aggregationRule"] as { clusterRoleSelectors?: { matchLabels?: Record<string, string> }[] } | undefined;
  for (const sel of arr<{ matchLabels?: Record<string, string> }>(agg?.clusterRoleSelectors)) {
    for (const other of all) {
      if (other !== role && labelsMatch(sel, other.metadata.labels ?? {})) rules.push(...arr<PolicyRule>(other["rules"]));
    }
  }
  return rules;
}

/** An authorizer decision with the reason the RBAC authorizer gives (empty when none). */
export interface Decision {
  allowed: boolean;
  reason: string;
}

function describeSubject(s: Subject, bindingNamespace: string | undefined): string {
  if (s.kind === "ServiceAccount") return `ServiceAccount "${s.name ?? ""}/${s.namespace ?? bindingNamespace ?? ""}"`;
  return `${s.kind ?? ""} "${s.name ?? ""}"`;
}

/**
 * Decides whether `user` may do `a` (see the module comment), with the reason as
 * plugin/pkg/auth/authorizer/rbac words it: `RBAC: allowed by ClusterRoleBinding "b" of
 * ClusterRole "r" to Group "g"` / `RBAC: allowed by RoleBinding "b/ns" of Role "r" to …`.
 * system:masters is allowed with no reason (kube-apiserver's privileged-groups authorizer runs
 * first). Never throws.
 */
export function authorizeWithReason(user: UserInfo, a: RequestAttributes, src: RbacSource): Decision {
  if (user.groups.includes("system:masters")) return { allowed: true, reason: "" };
  if (!a.resourceRequest && a.verb === "get") {
    if (urlMatches(PUBLIC_PATHS, a.path)) return { allowed: true, reason: "" };
    if (user.groups.includes("system:authenticated") && urlMatches(DISCOVERY_PATHS, a.path)) return { allowed: true, reason: "" };
  }
  for (const b of src.clusterRoleBindings()) {
    const subject = arr<Subject>(b["subjects"]).find((s) => subjectMatches(s, user, undefined));
    if (!subject) continue;
    const ref = b["roleRef"] as { kind?: string; name?: string } | undefined;
    if (ref?.kind !== "ClusterRole") continue;
    if (clusterRoleRules(ref.name ?? "", src).some((r) => ruleAllows(a, r))) {
      return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata.name ?? ""}" of ClusterRole "${ref.name ?? ""}" to ${describeSubject(subject, undefined)}` };
    }
  }
  const ns = a.resourceRequest ? a.namespace : undefined;
  if (ns) {
    for (const b of src.roleBindings(ns)) {
      const subject = arr<Subject>(b["subjects"]).find((s) => subjectMatches(s, user, ns));
      if (!subject) continue;
      const ref = b["roleRef"] as { kind?: string; name?: string } | undefined;
      let rules: PolicyRule[] = [];
      if (ref?.kind === "ClusterRole") rules = clusterRoleRules(ref.name ?? "", src);
      else if (ref?.kind === "Role") {
        const role = src.roles(ns).find((r) => r.metadata.name === ref.name);
        rules = arr<PolicyRule>(role?.["rules"]);
      }
      if (rules.some((r) => ruleAllows(a, r))) {
        return { allowed: true, reason: `RBAC: allowed by RoleBinding "${b.metadata.name ?? ""}/${ns}" of ${ref?.kind ?? ""} "${ref?.name ?? ""}" to ${describeSubject(subject, ns)}` };
      }
    }
  }
  return { allowed: false, reason: "" };
}

/** Decides whether `user` may do `a`; see the module comment. Never throws. */
export function authorize(user: UserInfo, a: RequestAttributes, src: RbacSource): boolean {
  return authorizeWithReason(user, a, src).allowed;
}
