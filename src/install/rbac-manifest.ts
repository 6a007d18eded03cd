/**
 * Renders the controller's RBAC (src/install/rbac.ts) as Kubernetes objects and as the YAML of
 * deploy/rbac.yaml: the ServiceAccount, a ClusterRole and ClusterRoleBinding for cluster-wide
 * rules, a Role and RoleBinding in the controller's namespace. Each rule is commented with the code
 * that needs it.
 */
import { Document, isMap, isSeq } from "yaml";
import { mergeRules, selectFeatures } from "./rbac.js";
import type { MergedRule } from "./rbac.js";

/** Where and under which names the RBAC objects are made. */
export interface RbacRenderOptions {
  /** The controller's namespace (default `sealbridge`). */
  namespace?: string;
  /** ServiceAccount name (default `sealbridge`). */
  serviceAccount?: string;
  /** Name of the ClusterRole, Role and their bindings (default `sealbridge-controller`). */
  name?: string;
  /** Features to include (default all; `core` always). */
  features?: readonly string[];
}

/** A rendered object (plain JSON) with the reasons for its rules, in rule order. */
export interface RbacObject {
  object: Record<string, unknown>;
  ruleReasons?: string[][];
}

const RBAC_API = "rbac.authorization.k8s.io/v1";
const LABELS = { "app.kubernetes.io/name": "sealbridge", "app.kubernetes.io/part-of": "sealbridge", "app.kubernetes.io/component": "controller" };

function policyRules(rules: MergedRule[]): Array<Record<string, string[]>> {
  return rules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }));
}

/**
 * The RBAC objects for the selected features.
 * @throws Error for an unknown feature name.
 */
export function rbacObjects(opts: RbacRenderOptions = {}): RbacObject[] {
  const namespace = opts.namespace ?? "sealbridge";
  const sa = opts.serviceAccount ?? "sealbridge";
  const name = opts.name ?? "sealbridge-controller";
  const features = selectFeatures(opts.features);
  const cluster = mergeRules(features.flatMap((f) => f.cluster));
  const namespaced = mergeRules(features.flatMap((f) => f.namespaced));
  const subjects = [{ kind: "ServiceAccount", name: sa, namespace }];
  const out: RbacObject[] = [
    { object: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: sa, namespace, labels: LABELS } } },
    { object: { apiVersion: RBAC_API, kind: "ClusterRole", metadata: { name, labels: LABELS }, rules: policyRules(cluster) }, ruleReasons: cluster.map((r) => r.why) },
    {
      object: {
        apiVersion: RBAC_API, kind: "ClusterRoleBinding", metadata: { name, labels: LABELS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects,
      },
    },
  ];
  if (namespaced.length > 0) {
    out.push(
      { object: { apiVersion: RBAC_API, kind: "Role", metadata: { name, namespace, labels: LABELS }, rules: policyRules(namespaced) }, ruleReasons: namespaced.map((r) => r.why) },
      {
        object: {
          apiVersion: RBAC_API, kind: "RoleBinding", metadata: { name, namespace, labels: LABELS },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects,
        },
      },
    );
  }
  return out;
}

/**
 * deploy/rbac.yaml: the objects as a multi-document YAML stream, each rule preceded by its reasons.
 * @throws Error for an unknown feature name.
 */
export function renderRbacYaml(opts: RbacRenderOptions = {}): string {
  const header = [
    "# The sealbridge controller's permissions. Generated from src/install/rbac.ts: do not edit;",
    "# regenerate with `node --import tsx scripts/render-rbac.ts` (a test keeps this file equal to the source).",
    `# Features: ${selectFeatures(opts.features).map((f) => f.name).join(", ")}.`,
  ].join("\n");
  const docs = rbacObjects(opts).map(({ object, ruleReasons }) => {
    const doc = new Document(object);
    const rules = isMap(doc.contents) ? doc.contents.get("rules", true) : undefined;
    if (ruleReasons !== undefined && isSeq(rules)) {
      rules.items.forEach((item, i) => {
        const reasons = ruleReasons[i] ?? [];
        if (isMap(item)) item.commentBefore = reasons.map((r) => ` ${r}`).join("\n");
      });
    }
    return doc.toString({ lineWidth: 0 });
  });
  return `${header}\n---\n${docs.join("---\n")}`;
}
