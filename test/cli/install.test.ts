/**
 * `sealbridge install` / `uninstall` as processes against the Kubernetes test server, with real
 * kubectl: the export is a stream kubectl accepts (`apply --dry-run=client`), install is a
 * server-side apply that a second run leaves untouched (same resourceVersions), a field someone
 * else changed is a conflict (no force), and uninstall removes what install applied while the
 * Namespace, CRDs, users' custom resources, key Secrets and synced Secrets stay.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { KubectlEnv } from "../harness/kube/kubectl-cli.js";
import { startKubeServer, type KubeTestServer } from "../harness/kube/index.js";
import { runCli } from "../support/run-cli.js";

let server: KubeTestServer;
let kubectl: KubectlEnv;

/** Minimal Prometheus Operator CRDs, so kubectl can map ServiceMonitor and PrometheusRule. */
function monitoringCrd(plural: string, kind: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  names: { kind: ${kind}, listKind: ${kind}List, plural: ${plural}, singular: ${kind.toLowerCase()} }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;
}

async function kc(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl.run(args, { ...(stdin !== undefined ? { stdin } : {}), timeoutMs: 60_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** name → resourceVersion of everything install made. */
async function versions(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const args of [
    ["get", "deployment,service,serviceaccount,role,rolebinding", "-n", "sealbridge", "-l", "app.kubernetes.io/part-of=sealbridge", "-o", "json"],
    ["get", "namespace,clusterrole,clusterrolebinding,crd", "-l", "app.kubernetes.io/part-of=sealbridge", "-o", "json"],
  ]) {
    const list = JSON.parse(await kc(args)) as { items: Array<{ kind: string; metadata: { name: string; resourceVersion: string } }> };
    for (const i of list.items) out.set(`${i.kind}/${i.metadata.name}`, i.metadata.resourceVersion);
  }
  return out;
}

const cli = (args: string[]) => runCli([...args, "--kubeconfig", kubectl.kubeconfigPath]);

describe("sealbridge install / uninstall (test server, real kubectl)", () => {
  before(async () => {
    server = await startKubeServer();
    kubectl = await KubectlEnv.create(server);
  });
  after(async () => {
    await server.stop();
    await kubectl.cleanup();
  });

  test("--export is a YAML stream kubectl accepts (apply --dry-run=client), ServiceMonitor and PrometheusRule included", async () => {
    await kc(["apply", "-f", "-"], `${monitoringCrd("servicemonitors", "ServiceMonitor")}---\n${monitoringCrd("prometheusrules", "PrometheusRule")}`);
    const exported = await runCli(["install", "--export", "--with-compat-crds", "--prometheus"]);
    assert.equal(exported.code, 0, exported.stderr);
    const docs = parseAllDocuments(exported.stdout).map((d) => d.toJS() as { kind?: string } | null).filter((d) => d !== null);
    assert.equal(docs[0]?.kind, "Namespace");
    assert.equal(docs.filter((d) => d.kind === "CustomResourceDefinition").length, 9);
    const dry = await kc(["apply", "--dry-run=client", "-f", "-"], exported.stdout);
    assert.match(dry, /deployment\.apps\/sealbridge-controller created \(dry run\)/);
    assert.match(dry, /service\/sealbridge created \(dry run\)/);
    assert.match(dry, /servicemonitor\.monitoring\.coreos\.com\/sealbridge created \(dry run\)/);
    assert.match(dry, /prometheusrule\.monitoring\.coreos\.com\/sealbridge created \(dry run\)/);
    // Nothing was written.
    assert.equal(JSON.parse(await kc(["get", "deployments", "-A", "-o", "json"])).items.length, 0);
  });

  test("bad flags: one line, exit 1, nothing printed to stdout", async () => {
    const r = await runCli(["install", "--export", "--features", "sealing,typo"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^error: unknown feature "typo": --features \(use one or more of core, sealing, age, vault-sync, certs, acme, unseal\)\n$/);
  });

  test("install applies server-side as sealbridge-install; a second run changes nothing", async () => {
    const first = await cli(["install", "--with-compat-crds"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^namespace\/sealbridge created$/m);
    assert.match(first.stdout, /^deployment\.apps\/sealbridge-controller created$/m);
    const dep = JSON.parse(await kc(["get", "deployment", "sealbridge-controller", "-n", "sealbridge", "-o", "json", "--show-managed-fields"])) as { metadata: { managedFields: Array<{ manager: string; operation: string }> } };
    assert.ok(dep.metadata.managedFields.some((e) => e.manager === "sealbridge-install" && e.operation === "Apply"));
    const before = await versions();
    assert.ok(before.size >= 15, `objects installed: ${[...before.keys()].join(", ")}`);
    const second = await cli(["install", "--with-compat-crds"]);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(second.stdout.trim().split("\n").every((l) => l.endsWith(" unchanged")), second.stdout);
    assert.deepEqual(await versions(), before, "no resourceVersion changed");
  });

  test("a field another manager changed is a conflict (force is off), named in one line", async () => {
    await kc(["patch", "deployment", "sealbridge-controller", "-n", "sealbridge", "--type", "merge", "-p", '{"spec":{"replicas":3}}']);
    const r = await cli(["install", "--with-compat-crds"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using apps\/v1: \.spec\.replicas/);
    await kc(["patch", "deployment", "sealbridge-controller", "-n", "sealbridge", "--type", "merge", "-p", '{"spec":{"replicas":1}}']);
  });

  test("a feature removed from the flags removes its rules (the applied ClusterRole is replaced, not merged)", async () => {
    const r = await cli(["install", "--with-compat-crds", "--features", "sealing,age,vault-sync,certs,acme"]);
    assert.equal(r.code, 0, r.stderr);
    const role = JSON.parse(await kc(["get", "clusterrole", "sealbridge-controller", "-o", "json"])) as { rules: Array<{ resources: string[] }> };
    assert.ok(!role.rules.some((x) => x.resources.includes("vaultunsealers") || x.resources.includes("pods/proxy")), "unseal's rules are gone");
    const dep = JSON.parse(await kc(["get", "deployment", "sealbridge-controller", "-n", "sealbridge", "-o", "json"])) as { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } };
    assert.ok(!dep.spec.template.spec.containers[0]?.args.includes("--vault-unsealer"));
  });

  test("uninstall removes what install applied; keeps the Namespace, CRDs, users' objects, key and synced Secrets", async () => {
    await kc(["apply", "-f", "-"], `apiVersion: v1
kind: Secret
metadata:
  name: sealed-secrets-key-abcde
  namespace: sealbridge
  labels: { sealedsecrets.bitnami.com/sealed-secrets-key: active }
type: kubernetes.io/tls
data: { tls.crt: Y2VydA==, tls.key: a2V5 }
---
apiVersion: v1
kind: Namespace
metadata: { name: app }
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: { name: db, namespace: app }
spec: { encryptedData: { password: AgBy } }
---
apiVersion: v1
kind: Secret
metadata: { name: db, namespace: app }
data: { password: cw== }
`);
    // A user object that happens to carry the label, but was not applied by install: kept.
    await kc(["create", "configmap", "notes", "-n", "sealbridge", "--from-literal=a=b"]);
    await kc(["label", "configmap", "notes", "-n", "sealbridge", "app.kubernetes.io/part-of=sealbridge"]);
    const r = await cli(["uninstall"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deployment\.apps\/sealbridge-controller deleted$/m);
    assert.match(r.stdout, /^clusterrole\.rbac\.authorization\.k8s\.io\/sealbridge-controller deleted$/m);
    assert.match(r.stdout, /^namespace\/sealbridge kept \(it holds the sealing keys/m);
    assert.match(r.stdout, /^customresourcedefinition\.apiextensions\.k8s\.io\/sealedsecrets\.bitnami\.com kept \(deleting a CRD deletes every object of its kind/m);
    const left = await versions();
    assert.deepEqual([...left.keys()].filter((k) => !k.startsWith("CustomResourceDefinition/")), ["Namespace/sealbridge"]);
    assert.equal(left.size, 10, "the Namespace and the 9 CRDs");
    await kc(["get", "secret", "sealed-secrets-key-abcde", "-n", "sealbridge"]);
    await kc(["get", "configmap", "notes", "-n", "sealbridge"]);
    await kc(["get", "sealedsecret", "db", "-n", "app"]);
    await kc(["get", "secret", "db", "-n", "app"]);
    const again = await cli(["uninstall"]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /deleted/);
  });

  test("uninstall --delete-crds also deletes the CRDs install applied", async () => {
    const r = await cli(["uninstall", "--delete-crds"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^customresourcedefinition\.apiextensions\.k8s\.io\/sealedsecrets\.bitnami\.com deleted$/m);
    assert.deepEqual([...(await versions()).keys()], ["Namespace/sealbridge"]);
  });
});
