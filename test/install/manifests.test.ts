/**
 * The install generator (src/install/manifests.ts): apply order, labels, the Deployment's
 * security and token wiring, the Service kubeseal reaches, feature selection changing RBAC, CRDs
 * and reconcilers, least privilege (no wildcards, Secret writes only for the features that write,
 * key material and leases only in the controller's namespace), and the monitoring objects.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { controllerArgs, installObjects, installYaml, resolveInstallOptions } from "../../src/install/manifests.js";
import { RBAC_FEATURE_NAMES } from "../../src/install/rbac.js";
import { rbacObjects } from "../../src/install/rbac-manifest.js";
import { prometheusRule } from "../../src/certs/prometheus-rule.js";
import { reconcilerFactories } from "../../src/controller/reconcilers.js";
import { VERSION } from "../../src/version.js";
import type { KubeObject } from "../../src/kube/types.js";
import { repoPath } from "../support/repo-root.js";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const kinds = (objs: KubeObject[]) => objs.map((o) => o.kind);
const find = (objs: KubeObject[], kind: string) => objs.find((o) => o.kind === kind) as Any | undefined;
const container = (objs: KubeObject[]) => find(objs, "Deployment")?.["spec"].template.spec.containers[0] as Any;
const rules = (objs: KubeObject[], kind: "ClusterRole" | "Role"): Rule[] => (find(objs, kind)?.["rules"] as Rule[] | undefined) ?? [];
const allows = (rs: Rule[], group: string, resource: string, verb: string) => rs.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
const reconcilersArg = (objs: KubeObject[]) => {
  const args = container(objs)["args"] as string[];
  return (args[args.indexOf("--reconcilers") + 1] ?? "").split(",");
};

describe("install --export objects", () => {
  test("defaults: apply order, every object labelled, no helm labels", () => {
    const objs = installObjects({});
    assert.deepEqual(kinds(objs), [
      "Namespace", "CustomResourceDefinition", "CustomResourceDefinition", "CustomResourceDefinition", "CustomResourceDefinition", "CustomResourceDefinition",
      "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service",
    ]);
    for (const o of objs) {
      const labels = o.metadata.labels ?? {};
      assert.equal(labels["app.kubernetes.io/name"], "sealbridge", `${o.kind} name label`);
      assert.equal(labels["app.kubernetes.io/part-of"], "sealbridge", `${o.kind} part-of label`);
      assert.ok(labels["app.kubernetes.io/component"], `${o.kind} component label`);
      assert.ok(!Object.keys(labels).some((k) => k === "helm.sh/chart" || k === "app.kubernetes.io/managed-by" || k === "app.kubernetes.io/instance"), `${o.kind}: no helm labels`);
    }
    for (const o of objs) if (!["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"].includes(o.kind ?? "")) assert.equal(o.metadata.namespace, "sealbridge", `${o.kind} namespace`);
    // The sealbridge.io CRDs only: the compatible projects' CRDs need the flag.
    assert.deepEqual(objs.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name), [
      "agesecrets.sealbridge.io", "certificatechecks.sealbridge.io", "acmecertificates.sealbridge.io", "dnscredentials.sealbridge.io", "vaultunsealers.sealbridge.io",
    ]);
    assert.equal(container(objs)["image"], `ghcr.io/sealbridge/sealbridge:${VERSION}`);
  });

  test("the Deployment: probes, resources, non-root read-only, no capabilities, seccomp, env, ports", () => {
    const objs = installObjects({ image: "registry.example/sealbridge@sha256:abc" });
    const dep = find(objs, "Deployment") as Any;
    assert.equal(dep["metadata"].name, "sealbridge-controller");
    const pod = dep["spec"].template.spec as Any;
    assert.deepEqual(dep["spec"].selector.matchLabels, { "app.kubernetes.io/name": "sealbridge", "app.kubernetes.io/component": "controller" });
    for (const [k, v] of Object.entries(dep["spec"].selector.matchLabels as Record<string, string>)) assert.equal(dep["spec"].template.metadata.labels[k], v);
    assert.equal(pod["serviceAccountName"], "sealbridge");
    assert.deepEqual(pod["securityContext"], { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    const c = container(objs);
    assert.equal(c["image"], "registry.example/sealbridge@sha256:abc");
    assert.equal(c["args"][0], "controller");
    assert.ok(c["args"].includes("--leader-elect"));
    assert.deepEqual(c["livenessProbe"].httpGet, { path: "/healthz", port: "http" });
    assert.deepEqual(c["readinessProbe"].httpGet, { path: "/readyz", port: "http" });
    assert.deepEqual(c["ports"], [{ name: "http", containerPort: 8080, protocol: "TCP" }, { name: "metrics", containerPort: 8081, protocol: "TCP" }]);
    assert.ok(c["resources"].requests.cpu && c["resources"].requests.memory && c["resources"].limits.memory);
    assert.deepEqual(c["securityContext"], {
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000,
      capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
    });
    assert.deepEqual(c["env"], [{ name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }]);
  });

  test("the runAsUser is the Dockerfile's numeric USER", () => {
    const user = /^USER (\d+):(\d+)$/m.exec(readFileSync(repoPath("Dockerfile"), "utf8"));
    assert.ok(user, "Dockerfile has a numeric USER uid:gid");
    const c = container(installObjects({}));
    assert.equal(c["securityContext"].runAsUser, Number(user[1]));
    assert.equal(c["securityContext"].runAsGroup, Number(user[2]));
  });

  test("API credentials: no automount, a projected token for the API server's default audience only, at the in-cluster path", () => {
    const objs = installObjects({});
    const pod = (find(objs, "Deployment") as Any)["spec"].template.spec as Any;
    assert.equal(pod["automountServiceAccountToken"], false);
    const c = container(objs);
    const mount = (c["volumeMounts"] as Any[]).find((m) => m["name"] === "kube-api-access");
    // client-node's loadFromCluster and src/eso/store-connections.ts read here.
    assert.deepEqual(mount, { name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true });
    assert.match(readFileSync(repoPath("src/eso/store-connections.ts"), "utf8"), /"\/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token"/);
    const vol = (pod["volumes"] as Any[]).find((v) => v["name"] === "kube-api-access") as Any;
    const sources = vol["projected"].sources as Any[];
    const tokens = sources.filter((s) => s["serviceAccountToken"]);
    assert.equal(tokens.length, 1, "one token");
    assert.equal(tokens[0]?.["serviceAccountToken"].path, "token");
    assert.equal(tokens[0]?.["serviceAccountToken"].audience, undefined, "no extra audience: the API server's default");
    assert.deepEqual(sources.find((s) => s["configMap"])?.["configMap"], { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] });
    assert.deepEqual(sources.find((s) => s["downwardAPI"])?.["downwardAPI"].items, [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }]);
    // Read-only root: the one writable place is an emptyDir /tmp.
    assert.deepEqual((c["volumeMounts"] as Any[]).map((m) => m["mountPath"]).sort(), ["/tmp", "/var/run/secrets/kubernetes.io/serviceaccount"]);
  });

  test("the Service: named by --service-name, first port http 8080 (kubeseal's services/http:NAME:/proxy), metrics 8081", () => {
    for (const [opts, ns, name] of [[{}, "sealbridge", "sealbridge"], [{ namespace: "kube-system", serviceName: "sealed-secrets-controller" }, "kube-system", "sealed-secrets-controller"]] as const) {
      const objs = installObjects(opts);
      const svc = find(objs, "Service") as Any;
      assert.equal(svc["metadata"].name, name);
      assert.equal(svc["metadata"].namespace, ns);
      assert.equal(svc["spec"].ports[0].name, "http");
      assert.equal(svc["spec"].ports[0].port, 8080);
      assert.equal(svc["spec"].ports[0].targetPort, "http");
      assert.deepEqual(svc["spec"].ports[1], { name: "metrics", port: 8081, targetPort: "metrics", protocol: "TCP" });
      assert.deepEqual(svc["spec"].selector, (find(objs, "Deployment") as Any)["spec"].selector.matchLabels);
    }
    // kube-system exists in every cluster: no Namespace object for it.
    assert.ok(!kinds(installObjects({ namespace: "kube-system", serviceName: "sealed-secrets-controller" })).includes("Namespace"));
  });

  test("RBAC is the one source's rendering (rbac-manifest.ts) for the namespace and features", () => {
    const objs = installObjects({ namespace: "ops", features: ["age", "certs"] });
    const rendered = rbacObjects({ namespace: "ops", features: ["core", "age", "certs"] }).map((r) => r.object as Any);
    for (const r of rendered) {
      const got = objs.find((o) => o.kind === r["kind"]) as Any;
      assert.deepEqual(got["rules"], r["rules"], `${String(r["kind"])} rules`);
      assert.deepEqual(got["subjects"], r["subjects"], `${String(r["kind"])} subjects`);
    }
  });

  test("features choose reconcilers (the controller's names), CRDs and RBAC; --vault-unsealer only with unseal", () => {
    const known = new Set(reconcilerFactories.map((f) => f.name));
    const all = installObjects({});
    assert.deepEqual(reconcilersArg(all), reconcilerFactories.map((f) => f.name), "all features run every registered reconciler");
    assert.ok(container(all)["args"].includes("--vault-unsealer"));
    const noUnseal = installObjects({ features: RBAC_FEATURE_NAMES.filter((f) => f !== "unseal") });
    assert.ok(!container(noUnseal)["args"].includes("--vault-unsealer"));
    assert.ok(!reconcilersArg(noUnseal).includes("vaultunsealer"));
    assert.ok(!allows(rules(noUnseal, "ClusterRole"), "", "pods/proxy", "update"), "unseal's pod proxy goes with it");
    assert.ok(!noUnseal.some((o) => o.metadata.name === "vaultunsealers.sealbridge.io"));

    const sealing = installObjects({ features: ["sealing"] });
    assert.deepEqual(reconcilersArg(sealing), ["sealedsecret"]);
    assert.ok(reconcilersArg(sealing).every((r) => known.has(r)));
    assert.ok(!sealing.some((o) => o.kind === "CustomResourceDefinition"), "SealedSecret's CRD is a compat CRD");
    const cr = rules(sealing, "ClusterRole");
    assert.ok(allows(cr, "bitnami.com", "sealedsecrets", "watch"));
    assert.ok(!cr.some((r) => r.apiGroups.includes("external-secrets.io") || r.apiGroups.includes("sealbridge.io")));

    const eso = installObjects({ features: ["vault-sync"] });
    assert.deepEqual(reconcilersArg(eso), ["externalsecret", "secretstore", "clustersecretstore"]);
    assert.ok(!allows(rules(eso, "ClusterRole"), "", "secrets", "update"), "vault-sync never replaces Secrets");
    assert.ok(allows(rules(eso, "ClusterRole"), "", "serviceaccounts/token", "create"));
    assert.ok(!allows(rules(installObjects({ features: ["sealing"] }), "ClusterRole"), "", "serviceaccounts/token", "create"));
  });

  test("--with-compat-crds adds bitnami.com and external-secrets.io CRDs of the enabled features only", () => {
    const crds = (o: Parameters<typeof installObjects>[0]) => installObjects(o).filter((x) => x.kind === "CustomResourceDefinition").map((x) => x.metadata.name);
    assert.deepEqual(crds({ withCompatCrds: true, features: ["sealing"] }), ["sealedsecrets.bitnami.com"]);
    assert.deepEqual(crds({ withCompatCrds: true, features: ["vault-sync"] }), ["externalsecrets.external-secrets.io", "secretstores.external-secrets.io", "clustersecretstores.external-secrets.io"]);
    assert.equal(crds({ withCompatCrds: true }).length, 9);
    const crd = installObjects({ withCompatCrds: true, features: ["sealing"] }).find((x) => x.kind === "CustomResourceDefinition") as Any;
    assert.equal(crd["spec"].group, "bitnami.com");
    assert.equal(crd["metadata"].labels["app.kubernetes.io/component"], "crd");
  });

  test("least privilege for every feature set: no wildcard, Secret writes only where a feature writes, key material and leases in the own namespace only", () => {
    const writers = new Set(["sealing", "age", "vault-sync", "acme"]);
    for (const f of RBAC_FEATURE_NAMES.filter((x) => x !== "core")) {
      const objs = installObjects({ namespace: "ops", features: [f] });
      const cr = rules(objs, "ClusterRole");
      const role = rules(objs, "Role");
      for (const r of [...cr, ...role]) for (const v of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.ok(!v.includes("*"), `${f}: wildcard in ${JSON.stringify(r)}`);
      const writes = ["create", "update", "patch", "delete"].some((v) => allows(cr, "", "secrets", v));
      assert.equal(writes, writers.has(f), `${f}: cluster-wide Secret writes`);
      assert.ok(!cr.some((r) => r.resources.includes("leases")), `${f}: no cluster-wide leases`);
      assert.ok(!["create", "update", "delete"].some((v) => allows(cr, "", "configmaps", v)), `${f}: no cluster-wide ConfigMap writes`);
      assert.ok(allows(role, "coordination.k8s.io", "leases", "update"), `${f}: its Lease`);
      const roleObj = find(objs, "Role") as Any;
      assert.equal(roleObj["metadata"].namespace, "ops");
      assert.equal((find(objs, "RoleBinding") as Any)["metadata"].namespace, "ops");
      if (f === "sealing" || f === "age") {
        assert.ok(allows(role, "", "secrets", "create") && allows(role, "", "configmaps", "update"), `${f}: key Secrets and backup ConfigMap in its namespace`);
      } else {
        assert.ok(!role.some((r) => r.resources.includes("secrets") || r.resources.includes("configmaps")), `${f}: no key material`);
      }
    }
  });

  test("--prometheus: a ServiceMonitor on the metrics port and the PrometheusRule, in the namespace", () => {
    const objs = installObjects({ prometheus: true, namespace: "ops" });
    assert.deepEqual(kinds(objs).slice(-2), ["ServiceMonitor", "PrometheusRule"]);
    const sm = find(objs, "ServiceMonitor") as Any;
    assert.equal(sm["apiVersion"], "monitoring.coreos.com/v1");
    assert.equal(sm["metadata"].namespace, "ops");
    assert.deepEqual(sm["spec"].endpoints, [{ port: "metrics", path: "/metrics" }]);
    const svcLabels = (find(objs, "Service") as Any)["metadata"].labels as Record<string, string>;
    for (const [k, v] of Object.entries(sm["spec"].selector.matchLabels as Record<string, string>)) assert.equal(svcLabels[k], v, `the ServiceMonitor selects the Service (${k})`);
    const rule = find(objs, "PrometheusRule") as Any;
    assert.equal(rule["metadata"].namespace, "ops");
    assert.deepEqual(rule["spec"], (prometheusRule() as Any)["spec"], "deploy/prometheus-rule.yaml's content");
    assert.ok(!kinds(installObjects({})).includes("ServiceMonitor"));
  });

  test("the PrometheusRule alerts on certificates, sync failures and sealed Vault nodes, over metrics the controller exports", () => {
    const rule = prometheusRule() as Any;
    const alerts = (rule["spec"].groups as Any[]).flatMap((g) => g["rules"] as Any[]);
    const names = alerts.map((a) => a["alert"] as string);
    for (const a of ["CertificateExpiring", "ExternalSecretSyncFailing", "SealedSecretUnsealFailing", "VaultSealed"]) assert.ok(names.includes(a), a);
    const exported = ["src/server/metrics.ts", "src/certs/certificate-metrics.ts", "src/controller/vault-unsealer/sealed-metric.ts"].map((f) => readFileSync(repoPath(f), "utf8")).join("\n");
    for (const a of alerts) {
      for (const metric of (a["expr"] as string).match(/\b[a-z_]+_[a-z_]+\b/g) ?? []) {
        if (["by", "increase", "sum", "time"].includes(metric)) continue;
        assert.ok(exported.includes(`"${metric}"`), `${String(a["alert"])}: ${metric} is exported`);
      }
    }
  });

  test("bad options: one line naming the flag", () => {
    assert.throws(() => installObjects({ features: ["sealing", "nope"] }), /unknown feature "nope": --features \(use one or more of core, sealing/);
    assert.throws(() => installObjects({ features: ["core"] }), /no feature runs a reconciler: --features core/);
    assert.throws(() => installObjects({ namespace: "Bad_NS" }), /--namespace must be a DNS label/);
    assert.throws(() => installObjects({ serviceName: "9svc" }), /--service-name must be a DNS-1035 label/);
    assert.throws(() => installObjects({ image: "a b" }), /--image/);
    assert.deepEqual(resolveInstallOptions({ features: ["age"] }).features, ["core", "age"]);
    assert.deepEqual(controllerArgs(["core", "unseal"]), ["--leader-elect", "--reconcilers", "vaultunsealer", "--vault-unsealer"]);
  });

  test("installYaml is a YAML stream of exactly the objects, without aliases, stable across runs", () => {
    const opts = { prometheus: true, withCompatCrds: true };
    const text = installYaml(opts);
    assert.equal(text, installYaml(opts));
    assert.ok(!/[&*]a\d+\b/.test(text), "no YAML anchors or aliases");
    const docs = parseAllDocuments(text).map((d) => d.toJS() as KubeObject | null).filter((d): d is KubeObject => d !== null);
    assert.deepEqual(docs, installObjects(opts));
  });
});
