/**
 * The controller's identity on a real API server: the RBAC objects rendered from
 * src/install/rbac.ts (optionally with one permission taken away), created as admin, and a
 * kubeconfig whose user is a TokenRequest token of that ServiceAccount — never admin.
 */
import { rbacObjects } from "../../../src/install/rbac-manifest.js";
import type { KubeHttp } from "./admin-client.js";

/** One permission: a verb on a resource of an API group. */
export interface Permission {
  apiGroup: string;
  resource: string;
  verb: string;
}

const RBAC = "/apis/rbac.authorization.k8s.io/v1";

function pathFor(kind: string, namespace: string): string {
  switch (kind) {
    case "ServiceAccount":
      return `/api/v1/namespaces/${namespace}/serviceaccounts`;
    case "ClusterRole":
      return `${RBAC}/clusterroles`;
    case "ClusterRoleBinding":
      return `${RBAC}/clusterrolebindings`;
    case "Role":
      return `${RBAC}/namespaces/${namespace}/roles`;
    case "RoleBinding":
      return `${RBAC}/namespaces/${namespace}/rolebindings`;
    default:
      throw new Error(`no path for kind ${kind}`);
  }
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

/** The rules without `p` (a rule left with no verb or resource is dropped). */
export function withoutPermission(rules: Rule[], p: Permission): Rule[] {
  const out: Rule[] = [];
  for (const r of rules) {
    if (!r.apiGroups.includes(p.apiGroup) || !r.resources.includes(p.resource) || !r.verbs.includes(p.verb)) {
      out.push(r);
      continue;
    }
    const others = r.resources.filter((x) => x !== p.resource);
    if (others.length > 0) out.push({ ...r, resources: others });
    const verbs = r.verbs.filter((v) => v !== p.verb);
    if (verbs.length > 0) out.push({ ...r, resources: [p.resource], verbs });
  }
  return out;
}

/**
 * Creates the namespace, the ServiceAccount and its (Cluster)Role(Binding)s from the RBAC source
 * (only `features` when given, `core` always; less the permissions in `without`), and returns a
 * TokenRequest token for it.
 * @throws Error when the API server refuses an object, or when `without` matches no rule.
 */
export async function installControllerIdentity(
  admin: KubeHttp,
  opts: { namespace: string; serviceAccount?: string; name?: string; without?: Permission[]; features?: readonly string[] },
): Promise<{ token: string; serviceAccount: string }> {
  const serviceAccount = opts.serviceAccount ?? "sealbridge";
  await admin.ensure("/api/v1/namespaces", { metadata: { name: opts.namespace } });
  const without = opts.without ?? [];
  const removed = new Set<number>();
  for (const { object } of rbacObjects({ namespace: opts.namespace, serviceAccount, ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.features !== undefined ? { features: opts.features } : {}) })) {
    const kind = String(object["kind"]);
    let obj = object;
    if (Array.isArray(object["rules"])) {
      let rules = object["rules"] as Rule[];
      without.forEach((p, i) => {
        const after = withoutPermission(rules, p);
        if (JSON.stringify(after) !== JSON.stringify(rules)) removed.add(i);
        rules = after;
      });
      obj = { ...object, rules };
    }
    await admin.ensure(pathFor(kind, opts.namespace), obj);
  }
  without.forEach((p, i) => {
    if (!removed.has(i)) throw new Error(`no rule grants ${JSON.stringify(p)}: nothing to take away`);
  });
  const token = await admin.serviceAccountToken(opts.namespace, serviceAccount, { expirationSeconds: 86_400 });
  return { token, serviceAccount };
}
