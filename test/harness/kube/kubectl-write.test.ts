// The real kubectl changing the Kubernetes test server: typed generators (protobuf bodies),
// create -f, client-side apply (create then patch), replace, patch in three types and on the
// status subresource, label, annotate, delete, CRDs and custom resources, wait. Expected
// requests and output: shared/reference/kubectl-requests.md §0.4 and §2 (generators), §3
// (apply), §4 (CRD then CR), §5 (mutations and waits).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeTestServer } from "./index.js";
import { parseTable, startWithKubectl, type KubectlEnv, type ServerWithKubectl } from "./kubectl-cli.js";
import { send } from "./test-client.js";

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.test}
spec:
  group: example.test
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
          status:
            type: object
            properties:
              conditions: {type: array, items: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
const widget = (name: string, size: number) => `apiVersion: example.test/v1
kind: Widget
metadata: {name: ${name}, namespace: demo}
spec: {size: ${size}}
`;
const secretYaml = (name: string, stringData: string) => `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: demo, labels: {app: demo}}
type: Opaque
stringData: ${stringData}
`;
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

describe("kubectl changes the test server", () => {
  let server: KubeTestServer;
  let kubectl: KubectlEnv;

  const ok = async (args: string[]): Promise<string> => {
    const r = await kubectl.run(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const stored = (resource: string, name: string) => server.objects(resource).find((o) => o.metadata.name === name);

  let env: ServerWithKubectl;
  before(async () => {
    env = await startWithKubectl();
    ({ server, kubectl } = env);
  });
  after(() => env.stop());

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding and https://kubernetes.io/docs/reference/kubectl/generated/kubectl_create/
  test("create namespace / secret generic / serviceaccount / clusterrole / clusterrolebinding send protobuf that the server stores (§0.4, §2)", async () => {
    server.counters.reset();
    assert.equal(await ok(["create", "namespace", "demo"]), "namespace/demo created\n");
    assert.equal(await ok(["create", "secret", "generic", "s1", "-n", "demo", "--from-literal=a=b", "--from-literal=c=d"]), "secret/s1 created\n");
    assert.equal(await ok(["create", "serviceaccount", "sa1", "-n", "demo"]), "serviceaccount/sa1 created\n");
    assert.equal(
      await ok(["create", "clusterrole", "tokenreviewer", "--verb=create", "--resource=tokenreviews.authentication.k8s.io"]),
      "clusterrole.rbac.authorization.k8s.io/tokenreviewer created\n",
    );
    assert.equal(
      await ok(["create", "clusterrolebinding", "tokenreviewer-b", "--clusterrole=tokenreviewer", "--serviceaccount=demo:sa1"]),
      "clusterrolebinding.rbac.authorization.k8s.io/tokenreviewer-b created\n",
    );
    assert.equal(server.counters.requests("POST", /fieldManager=kubectl-create&fieldValidation=Strict/), 5);

    const s1 = stored("secrets", "s1");
    assert.deepEqual(s1?.["data"], { a: "Yg==", c: "ZA==" });
    assert.equal(s1?.["type"], "Opaque", "type defaulted");
    assert.equal(s1?.metadata.namespace, "demo");
    assert.ok(stored("serviceaccounts", "sa1")?.metadata.uid);
    assert.deepEqual(stored("clusterroles.rbac.authorization.k8s.io", "tokenreviewer")?.["rules"], [
      { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"] },
    ]);
    const crb = stored("clusterrolebindings.rbac.authorization.k8s.io", "tokenreviewer-b");
    assert.deepEqual(crb?.["subjects"], [{ kind: "ServiceAccount", name: "sa1", namespace: "demo" }]);
    assert.deepEqual(crb?.["roleRef"], { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "tokenreviewer" });
    assert.equal(stored("namespaces", "demo")?.["status"] !== undefined, true);
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_create/kubectl_create_deployment/
  test("create deployment and configmap generators (protobuf) store what they were given", async () => {
    assert.equal(await ok(["create", "deployment", "gen", "-n", "demo", "--image=nginx:1.27", "--replicas=2", "--port=8080"]), "deployment.apps/gen created\n");
    const spec = stored("deployments.apps", "gen")?.["spec"] as any;
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.selector, { matchLabels: { app: "gen" } });
    assert.deepEqual(spec.template.spec.containers[0].ports, [{ containerPort: 8080 }]);
    assert.equal(await ok(["create", "configmap", "gen", "-n", "demo", "--from-literal=k=v"]), "configmap/gen created\n");
    assert.deepEqual(stored("configmaps", "gen")?.["data"], { k: "v" });
  });

  // https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
  test("create -f creates from a file with fieldManager kubectl-create (§2)", async () => {
    const file = await kubectl.file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, namespace: demo}\ndata: {k: v}\n");
    assert.equal(await ok(["create", "-f", file]), "configmap/cm1 created\n");
    assert.deepEqual(stored("configmaps", "cm1")?.["data"], { k: "v" });
  });

  // https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/#how-apply-calculates-differences-and-merges-changes
  test("apply twice: create with the last-applied annotation, then a strategic merge PATCH (§3)", async () => {
    const file = await kubectl.file("secret.yaml", secretYaml("applied", "{a: b}"));
    server.counters.reset();
    assert.equal(await ok(["apply", "-f", file]), "secret/applied created\n");
    assert.equal(server.counters.requests("POST", "fieldManager=kubectl-client-side-apply&fieldValidation=Strict"), 1);
    const first = stored("secrets", "applied");
    assert.deepEqual(first?.["data"], { a: "Yg==" });
    const annotation = first?.metadata.annotations?.[LAST_APPLIED] ?? "";
    assert.ok(annotation.endsWith("\n"));
    assert.deepEqual(JSON.parse(annotation), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { annotations: {}, labels: { app: "demo" }, name: "applied", namespace: "demo" },
      stringData: { a: "b" },
      type: "Opaque",
    });

    await kubectl.file("secret.yaml", secretYaml("applied", "{a: c, extra: x}"));
    server.counters.reset();
    assert.equal(await ok(["apply", "-f", file]), "secret/applied configured\n");
    assert.equal(server.counters.requests("POST"), 0);
    assert.equal(server.counters.requests("PATCH", /\/secrets\/applied\?fieldManager=kubectl-client-side-apply/), 1);
    assert.equal(server.counters.requests("GET", "/openapi/v2"), 0, "the v3 schema was enough to build the patch");
    const second = stored("secrets", "applied");
    assert.deepEqual(second?.["data"], { a: "Yw==", extra: "eA==" });
    assert.deepEqual(JSON.parse(second?.metadata.annotations?.[LAST_APPLIED] ?? "{}").stringData, { a: "c", extra: "x" });
    assert.notEqual(second?.metadata.resourceVersion, first?.metadata.resourceVersion);

    // §3: the live Secret holds data, not stringData, so every apply re-sends stringData.
    assert.equal(await ok(["apply", "-f", file]), "secret/applied configured\n");
    assert.deepEqual(stored("secrets", "applied")?.["data"], { a: "Yw==", extra: "eA==" });
  });

  // https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/#merge-individual-elements-of-a-list-of-complex-elements
  test("apply a Deployment twice: strategic merge keeps list items by merge key", async () => {
    const deploy = (image: string, env: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        env: [${env}]
        volumeMounts: [{name: cfg, mountPath: /cfg}]
      volumes: [{name: cfg, configMap: {name: cm1}}]
`;
    const file = await kubectl.file("deploy.yaml", deploy("nginx:1", "{name: A, value: '1'}, {name: B, value: '2'}"));
    assert.equal(await ok(["apply", "-f", file]), "deployment.apps/web created\n");
    await kubectl.file("deploy.yaml", deploy("nginx:2", "{name: B, value: '3'}"));
    const r = await kubectl.run(["apply", "-f", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "deployment.apps/web configured\n");
    assert.equal(r.stderr, "", "no warning about the OpenAPI v3 patch schema");
    const spec = (stored("deployments.apps", "web")?.["spec"] as any).template.spec;
    assert.equal(spec.containers[0].image, "nginx:2");
    assert.deepEqual(spec.containers[0].env, [{ name: "B", value: "3" }]);
    assert.deepEqual(spec.volumes, [{ name: "cfg", configMap: { name: "cm1" } }]);
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_replace/ and https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
  test("replace PUTs the file with the live resourceVersion (§5)", async () => {
    const file = await kubectl.file("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, namespace: demo}\ndata: {k: replaced}\n");
    assert.equal(await ok(["replace", "-f", file]), "configmap/cm1 replaced\n");
    assert.deepEqual(stored("configmaps", "cm1")?.["data"], { k: "replaced" });
  });

  // https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
  test("patch: strategic (default), merge and json patches (§5)", async () => {
    assert.equal(await ok(["patch", "secret", "s1", "-n", "demo", "-p", '{"metadata":{"labels":{"p":"1"}}}']), "secret/s1 patched\n");
    assert.equal(await ok(["patch", "configmap", "cm1", "-n", "demo", "--type=merge", "-p", '{"data":{"m":"2"}}']), "configmap/cm1 patched\n");
    assert.equal(await ok(["patch", "configmap", "cm1", "-n", "demo", "--type=json", "-p", '[{"op":"replace","path":"/data/k","value":"j"}]']), "configmap/cm1 patched\n");
    assert.equal(stored("secrets", "s1")?.metadata.labels?.["p"], "1");
    assert.deepEqual(stored("configmaps", "cm1")?.["data"], { k: "j", m: "2" });
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_label/ and https://kubernetes.io/docs/reference/kubectl/generated/kubectl_annotate/
  test("label and annotate, add and remove (§5)", async () => {
    assert.equal(await ok(["label", "secret", "s1", "-n", "demo", "team=a"]), "secret/s1 labeled\n");
    assert.equal(await ok(["annotate", "secret", "s1", "-n", "demo", "--overwrite", "note=hi"]), "secret/s1 annotated\n");
    assert.equal(stored("secrets", "s1")?.metadata.labels?.["team"], "a");
    assert.equal(stored("secrets", "s1")?.metadata.annotations?.["note"], "hi");
    assert.equal(await ok(["label", "secret", "s1", "-n", "demo", "team-"]), "secret/s1 unlabeled\n");
    assert.equal(stored("secrets", "s1")?.metadata.labels?.["team"], undefined);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#create-a-customresourcedefinition
  test("CRD: apply, wait Established, apply a custom resource, list it with its printer columns (§4)", async () => {
    assert.equal(await ok(["apply", "-f", await kubectl.file("crd.yaml", CRD)]), "customresourcedefinition.apiextensions.k8s.io/widgets.example.test created\n");
    assert.equal(
      await ok(["wait", "--for=condition=Established", "crd/widgets.example.test", "--timeout=10s"]),
      "customresourcedefinition.apiextensions.k8s.io/widgets.example.test condition met\n",
    );
    const file = await kubectl.file("widget.yaml", widget("w1", 1));
    assert.equal(await ok(["apply", "-f", file]), "widget.example.test/w1 created\n");
    await kubectl.file("widget.yaml", widget("w1", 2));
    assert.equal(await ok(["apply", "-f", file]), "widget.example.test/w1 configured\n");
    assert.deepEqual(stored("widgets.example.test", "w1")?.["spec"], { size: 2 });
    const rows = parseTable(await ok(["get", "wd", "-n", "demo"]));
    assert.deepEqual(rows.map((r) => [r["NAME"], r["SIZE"], r["READY"]]), [["w1", "2", ""]]);
    const one = parseTable(await ok(["get", "widget", "w1", "-n", "demo"]));
    assert.deepEqual(one.map((r) => [r["NAME"], r["SIZE"], r["READY"]]), [["w1", "2", ""]], "single get uses the printer columns too");
  });

  // https://github.com/kubernetes/kubectl/blob/master/pkg/cmd/apply/apply.go
  test("a CRD and its custom resource in one file: the usual first-run failure, then success (§4)", async () => {
    const crd = CRD.replace(/widget/g, "gadget").replace(/Widget/g, "Gadget").replace("shortNames: [wd]", "shortNames: [gd]");
    const file = await kubectl.file("both.yaml", `${crd}---\n${widget("g1", 1).replace("Widget", "Gadget")}`);
    const first = await kubectl.run(["apply", "-f", file]);
    assert.equal(first.code, 1);
    assert.equal(first.stdout, "customresourcedefinition.apiextensions.k8s.io/gadgets.example.test created\n");
    assert.equal(
      first.stderr,
      'error: resource mapping not found for name: "g1" namespace: "demo" from "both.yaml": no matches for kind "Gadget" in version "example.test/v1"\nensure CRDs are installed first\n',
    );
    const second = await kubectl.run(["apply", "-f", file]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "customresourcedefinition.apiextensions.k8s.io/gadgets.example.test unchanged\ngadget.example.test/g1 created\n");
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_patch/ ("Strategic merge patch is not supported for custom resources")
  test("a custom resource rejects strategic merge patch; merge patch on /status works (§5)", async () => {
    const smp = await kubectl.run(["patch", "widget", "w1", "-n", "demo", "-p", '{"spec":{"size":5}}']);
    assert.equal(smp.code, 1);
    assert.equal(
      smp.stderr.trim(),
      "error: application/strategic-merge-patch+json is not supported by example.test/v1, Kind=Widget: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );
    const status = '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}';
    assert.equal(await ok(["patch", "widget", "w1", "-n", "demo", "--subresource=status", "--type=merge", "-p", status]), "widget.example.test/w1 patched\n");
    const w1 = stored("widgets.example.test", "w1");
    assert.deepEqual((w1?.["status"] as any).conditions, [{ type: "Ready", status: "False" }]);
    assert.deepEqual(w1?.["spec"], { size: 2 }, "status patch leaves spec alone");
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_wait/
  test("wait --for=condition=Ready returns once the test sets the custom resource's status (§5)", async () => {
    await ok(["apply", "-f", await kubectl.file("w2.yaml", widget("w2", 1))]);
    const waiting = kubectl.run(["wait", "widget/w2", "-n", "demo", "--for=condition=Ready", "--timeout=15s"]);
    const deadline = Date.now() + 10_000;
    while (server.counters.requests("GET", /widgets\?.*fieldSelector=metadata\.name%3Dw2.*watch=true/) === 0) {
      assert.ok(Date.now() < deadline, "kubectl wait never started its watch");
      await new Promise((r) => setTimeout(r, 20));
    }
    const patched = await send(
      { url: server.url, caPem: server.caPem, token: server.adminToken },
      "PATCH",
      "/apis/example.test/v1/namespaces/demo/widgets/w2/status",
      { status: { conditions: [{ type: "Ready", status: "True", reason: "Done" }] } },
      { "Content-Type": "application/merge-patch+json" },
    );
    assert.equal(patched.status, 200, patched.text);
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "widget.example.test/w2 condition met\n");
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_delete/
  test("delete a built-in and a custom resource, by name and by file (§5)", async () => {
    assert.equal(await ok(["delete", "secret", "s1", "-n", "demo"]), 'secret "s1" deleted\n');
    assert.equal(stored("secrets", "s1"), undefined);
    assert.equal(await ok(["delete", "-f", await kubectl.file("widget.yaml", widget("w1", 2))]), 'widget.example.test "w1" deleted\n');
    assert.equal(stored("widgets.example.test", "w1"), undefined);
  });
});
