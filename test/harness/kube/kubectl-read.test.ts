// The real kubectl reading from the Kubernetes test server: version, discovery, get in every
// output format, selectors, all namespaces, watch. Expected requests and output:
// shared/reference/kubectl-requests.md §0.1 (dispatcher and /version), §0.5 (aggregated
// discovery), §1 (get, Table rows, -A), §1.1 (get -w).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeTestServer } from "./index.js";
import { parseTable, startWithKubectl, type KubectlEnv, type ServerWithKubectl } from "./kubectl-cli.js";

const SEED = `
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Secret
metadata: {name: s1, namespace: demo, labels: {k: v}}
type: Opaque
stringData: {a: b}
---
apiVersion: v1
kind: Secret
metadata: {name: s2, namespace: demo}
type: kubernetes.io/basic-auth
data: {username: dXNlcg==, password: cGFzcw==}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm1, namespace: demo}
data: {x: "1", y: "2", z: "3"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: demo}
spec: {type: NodePort, clusterIP: 10.0.0.10, ports: [{port: 443, nodePort: 30443}], selector: {app: web}}
---
apiVersion: v1
kind: Event
metadata: {name: es1.1, namespace: demo}
involvedObject: {kind: ExternalSecret, name: es1, namespace: demo, apiVersion: external-secrets.io/v1}
reason: SecretSynced
message: secret synced
type: Normal
count: 2
source: {component: sealbridge}
`;

/** Polls `cond` every 10 ms; fails the test after 10 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("kubectl reads from the test server", () => {
  let server: KubeTestServer;
  let kubectl: KubectlEnv;

  let env: ServerWithKubectl;
  before(async () => {
    env = await startWithKubectl(SEED);
    ({ server, kubectl } = env);
  });
  after(() => env.stop());

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_version/ and https://kubernetes.io/releases/version-skew-policy/#kubectl
  test("version: the dispatcher picks kubectl 1.32 from /version (§0.1)", async () => {
    const r = await kubectl.run(["version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Server Version: v1\.32\.4$/m);
    assert.equal(r.stderr, "", "no version-skew warning");
  });

  // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#aggregated-discovery
  test("api-resources lists built-ins from aggregated discovery, with no per-group fetches (§0.5)", async () => {
    server.counters.reset();
    const r = await kubectl.run(["api-resources"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = parseTable(r.stdout);
    const byName = new Map(rows.map((row) => [row["NAME"], row]));
    assert.deepEqual(byName.get("secrets"), { NAME: "secrets", SHORTNAMES: "", APIVERSION: "v1", NAMESPACED: "true", KIND: "Secret" });
    assert.equal(byName.get("deployments")?.["SHORTNAMES"], "deploy");
    assert.equal(byName.get("tokenreviews")?.["APIVERSION"], "authentication.k8s.io/v1");
    assert.equal(byName.get("customresourcedefinitions")?.["SHORTNAMES"], "crd,crds");
    assert.equal(server.counters.requests("GET", /^\/apis?\?/), 2, "one /api and one /apis");
    assert.equal(server.counters.requests("GET", /^\/apis\/[^?]+\/v1(\?|$)|^\/api\/v1(\?|$)/), 0, "no legacy per-group discovery");
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_get/ and https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
  test("get secrets prints the server's Table: NAME TYPE DATA AGE (§1)", async () => {
    const r = await kubectl.run(["get", "secrets", "-n", "demo"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = parseTable(r.stdout);
    assert.deepEqual(
      rows.map((row) => [row["NAME"], row["TYPE"], row["DATA"]]),
      [
        ["s1", "Opaque", "1"],
        ["s2", "kubernetes.io/basic-auth", "2"],
      ],
    );
    assert.match(r.stdout.split("\n")[0] ?? "", /^NAME\s+TYPE\s+DATA\s+AGE$/);
    assert.match(rows[0]?.["AGE"] ?? "", /^\d+s$/);
  });

  // https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
  test("get namespaces, configmaps, serviceaccounts and deployments use the real servers' columns", async () => {
    const ns = parseTable((await kubectl.run(["get", "namespaces"])).stdout);
    assert.deepEqual(ns.find((r) => r["NAME"] === "demo")?.["STATUS"], "Active");
    const cm = parseTable((await kubectl.run(["get", "configmaps", "-n", "demo"])).stdout);
    assert.deepEqual(cm.find((r) => r["NAME"] === "cm1")?.["DATA"], "3");
    const sa = parseTable((await kubectl.run(["get", "sa", "-n", "demo"])).stdout);
    assert.deepEqual(sa, [{ NAME: "default", SECRETS: "0", AGE: sa[0]?.["AGE"] ?? "" }]);
    const deploy = await kubectl.run(["get", "deploy", "-n", "demo", "-o", "wide"]);
    const row = parseTable(deploy.stdout)[0];
    assert.equal(row?.["READY"], "0/2");
    assert.equal(row?.["UP-TO-DATE"], "0");
    assert.equal(row?.["AVAILABLE"], "0");
    assert.equal(row?.["IMAGES"], "nginx:1.27");
    assert.equal(row?.["SELECTOR"], "app=web");
  });

  // https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
  test("get events and services print the server's columns (Events put NAME last, wide only)", async () => {
    const ev = await kubectl.run(["get", "events", "-n", "demo", "-o", "wide"]);
    assert.equal(ev.code, 0, ev.stderr);
    const row = parseTable(ev.stdout)[0];
    assert.match(ev.stdout.split("\n")[0] ?? "", /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME$/);
    assert.deepEqual([row?.["TYPE"], row?.["REASON"], row?.["OBJECT"], row?.["SOURCE"], row?.["MESSAGE"], row?.["COUNT"], row?.["NAME"]], [
      "Normal", "SecretSynced", "externalsecret/es1", "sealbridge", "secret synced", "2", "es1.1",
    ]);
    const svc = parseTable((await kubectl.run(["get", "svc", "-n", "demo"])).stdout)[0];
    assert.deepEqual([svc?.["NAME"], svc?.["TYPE"], svc?.["CLUSTER-IP"], svc?.["EXTERNAL-IP"], svc?.["PORT(S)"]], ["api", "NodePort", "10.0.0.10", "<none>", "443:30443/TCP"]);
  });

  // https://kubernetes.io/docs/reference/kubectl/#output-options and https://kubernetes.io/docs/reference/kubectl/jsonpath/
  test("-o json, -o yaml, -o jsonpath and -o name", async () => {
    const json = await kubectl.run(["get", "secrets", "-n", "demo", "-o", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { kind: string; items: { kind: string; apiVersion: string; metadata: { name: string; uid: string } }[] };
    assert.equal(list.kind, "List");
    assert.deepEqual(list.items.map((i) => [i.kind, i.apiVersion, i.metadata.name]), [["Secret", "v1", "s1"], ["Secret", "v1", "s2"]]);
    assert.ok(list.items[0]?.metadata.uid);

    const yaml = await kubectl.run(["get", "secret", "s1", "-n", "demo", "-o", "yaml"]);
    assert.match(yaml.stdout, /^kind: Secret$/m);
    assert.match(yaml.stdout, /^ {2}a: Yg==$/m, "stringData folded into base64 data");
    assert.match(yaml.stdout, /^ {4}k: v$/m);

    const jp = await kubectl.run(["get", "secret", "s2", "-n", "demo", "-o", "jsonpath={.data.username}"]);
    assert.equal(jp.stdout, "dXNlcg==");
    const name = await kubectl.run(["get", "deploy", "-n", "demo", "-o", "name"]);
    assert.equal(name.stdout, "deployment.apps/web\n");
  });

  // https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#list-and-watch-filtering and https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
  test("-l and --field-selector filter on the server (§1)", async () => {
    server.counters.reset();
    const byLabel = await kubectl.run(["get", "secrets", "-n", "demo", "-l", "k=v", "-o", "name"]);
    assert.equal(byLabel.stdout, "secret/s1\n");
    const byField = await kubectl.run(["get", "secrets", "-n", "demo", "--field-selector", "metadata.name=s2", "-o", "name"]);
    assert.equal(byField.stdout, "secret/s2\n");
    const none = await kubectl.run(["get", "secrets", "-n", "demo", "-l", "k=nope"]);
    assert.equal(none.code, 0);
    assert.equal(none.stderr.trim(), "No resources found in demo namespace.");
    assert.equal(server.counters.requests("GET", "labelSelector=k%3Dv"), 1);
    assert.equal(server.counters.requests("GET", "fieldSelector=metadata.name%3Ds2"), 1);
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_get/
  test("-A lists across namespaces with the NAMESPACE column from the row objects (§1)", async () => {
    const r = await kubectl.run(["get", "serviceaccounts", "-A"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = parseTable(r.stdout).map((row) => `${row["NAMESPACE"]}/${row["NAME"]}`);
    for (const want of ["default/default", "demo/default", "kube-system/default"]) assert.ok(rows.includes(want), `${want} in ${rows.join(",")}`);
    const labels = await kubectl.run(["get", "secrets", "-A", "--show-labels", "-l", "k"]);
    assert.deepEqual(parseTable(labels.stdout).map((row) => [row["NAMESPACE"], row["NAME"], row["LABELS"]]), [["demo", "s1", "k=v"]]);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
  test("get -w prints new and changed objects as they happen, then is stopped (§1.1)", async () => {
    const watch = kubectl.stream(["get", "secrets", "-n", "demo", "-w", "--output-watch-events"]);
    try {
      await watch.waitFor(/ADDED\s+s2\s/);
      const created = await kubectl.run(["create", "secret", "generic", "watched", "-n", "demo", "--from-literal=k=v"]);
      assert.equal(created.code, 0, created.stderr);
      await watch.waitFor(/ADDED\s+watched\s+Opaque\s+1\s/);
      const labelled = await kubectl.run(["label", "secret", "watched", "-n", "demo", "seen=yes"]);
      assert.equal(labelled.code, 0, labelled.stderr);
      const out = await watch.waitFor(/MODIFIED\s+watched\s/);
      assert.equal(out.match(/^EVENT\s+NAME/gm)?.length, 1, "header printed once");
    } finally {
      await watch.stop();
    }
  });

  // https://github.com/kubernetes/kubectl/blob/master/pkg/cmd/get/get.go
  test("get one object -w: the first real change is not swallowed (§1.1)", async () => {
    await until(() => server.watchCount() === 0, "earlier watches to close");
    const watch = kubectl.stream(["get", "secret", "s1", "-n", "demo", "-w", "-o", "jsonpath={.metadata.labels.round}{\"\\n\"}"]);
    try {
      await watch.waitFor(/^\n/);
      // Change it only once the watch is open: a change before that would be in the synthetic
      // ADDED event that kubectl drops, and so never printed, against a real server too.
      await until(() => server.watchCount() === 1, "kubectl to open its watch");
      const r = await kubectl.run(["label", "secret", "s1", "-n", "demo", "round=one"]);
      assert.equal(r.code, 0, r.stderr);
      await watch.waitFor(/^one$/m);
    } finally {
      await watch.stop();
    }
  });
});
